// vm/intrinsics: format, a small printf over Lonala values (reference 4.1 appendix, lona.core).
#pragma once

#include "vm/intrinsics/native_context.hpp"

namespace lona::string_format {

// (format fmt & args): fmt with each directive replaced by the next argument. Directives:
// %[flags][width][.precision]conversion, flags - (left-justify), 0 (pad numbers with zeros) and
// + (sign numbers); conversions s d x X o f e c, and %% for a percent sign.
bool format(NativeContext& ctx, std::span<Term> args, Term* out);

// Widths and precisions above this are :badarg: they would only make huge strings by mistake.
constexpr size_t kMaxFieldSize = 10000;

}  // namespace lona::string_format
