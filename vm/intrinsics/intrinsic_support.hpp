// vm/intrinsics: small helpers shared by the intrinsic families.
#pragma once

#include <span>

#include "runtime/support/str_cat.hpp"
#include "vm/intrinsics/native_context.hpp"
#include "vm/printer/printer.hpp"

namespace lona {

using Args = std::span<Term>;

// :type-error "<fn> expects <expected>, got <printed value>".
inline bool type_error(NativeContext& ctx, const char* fn, const char* expected, Term got) {
  return ctx.fail("type-error", str_cat(fn, " expects ", expected, ", got ", print(got)));
}

}  // namespace lona
