// vm/reader: the numeric literal grammar (reference section 1.1): integers in every base, bigints
// with N, ratios, floats (f64, f32), fixed-width integers, digit separators.
#pragma once

#include <string>
#include <string_view>

#include "runtime/term/heap.hpp"

namespace lona {

struct NumberResult {
  bool ok = false;
  Term value;
  std::string reason;  // error keyword when !ok: "invalid-number", "invalid-radix", ...
  std::string message;
};

// `token` is a whole token that starts with a digit, or with + or - followed by a digit.
NumberResult parse_number(Heap& heap, std::string_view token);

}  // namespace lona
