// vm/native: C++ functions callable from Lonala, registered at run time into a namespace.
//
//   lona::native::define_function("my.math", "add3", 3, 3,
//       [](lona::NativeContext& ctx, std::span<lona::Term> args, lona::Term* out) {
//         ...; return true;                         // or: return ctx.fail("badarg", "...");
//       });
//   ;; then, in Lonala:  (my.math/add3 1 2 3)
//
// A native function runs on the caller's thread and heap, inside the caller's process (the
// NativeContext: its heap, its interpreter), like the built-in intrinsics (vm/intrinsics):
// arguments are GC roots, to be re-read after an allocation; an error is reported with
// ctx.fail(reason, message) and becomes a Lonala error (:reason) in the caller. It must not block
// (a worker runs it). It lives in vm/ and not in runtime/native because it needs the language:
// namespaces, vars and the interpreter's calling convention.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>

#include "runtime/term/term.hpp"
#include "vm/intrinsics/native_context.hpp"

namespace lona::native {

// What a native function is: the arguments in, the result out; false (with ctx.fail) on error.
using Function = std::function<bool(NativeContext& ctx, std::span<Term> args, Term* result)>;

// The most functions a realm can define (each definition, redefinitions included, takes one).
inline constexpr uint32_t kMaxNativeFunctions = 1024;

// Defines (or redefines: callers see the new one at their next call) the var ns/name, creating
// the namespace if need be, whose value is `fn` taking min_args to max_args (-1: any number)
// arguments. Returns the function's intrinsic id; nullopt when kMaxNativeFunctions are defined
// already. Any thread; the namespaces are booted first if they are not yet.
std::optional<uint32_t> define_function(std::string_view ns, std::string_view name, int min_args,
                                        int max_args, Function fn);

}  // namespace lona::native
