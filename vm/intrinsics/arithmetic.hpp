// vm/intrinsics: the numeric tower behind + - * / quot rem mod and the comparisons.
//
// Integers (small and big) are exact; ratios are exact and reduced; any float makes the result a
// float (f32 when every float involved is f32); fixed-width integers combine with their own kind or
// with plain integers and wrap to their width; anything else is :type-error. Integer division by
// zero is :division-by-zero; floats follow IEEE.
#pragma once

#include "vm/intrinsics/native_context.hpp"

namespace lona {

enum class ArithOp { kAdd, kSub, kMul, kDiv, kQuot, kRem, kMod };

// *out = a op b. `name` is the function name for error messages.
bool arith(NativeContext& ctx, ArithOp op, Term a, Term b, Term* out, const char* name);

// Numeric comparison: *out is -1, 0 or 1; *unordered when a NaN is involved (then every
// comparison is false).
bool compare_numbers(NativeContext& ctx, Term a, Term b, int* out, bool* unordered,
                     const char* name);

}  // namespace lona
