// vm/intrinsics: what a native function (an intrinsic) sees when it runs.
//
// Arguments arrive in a span over the interpreter's argument registers, which are GC roots: after
// an allocation, re-read args[i] rather than using a copy taken before it.
#pragma once

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "runtime/term/heap.hpp"
#include "vm/eval/evaluator.hpp"

namespace lona {

class Interpreter;

struct NativeContext {
  Heap& heap;
  // Where fail() puts the error: the caller's, so that a call that succeeds (nearly all) makes
  // and destroys no strings.
  EvalError& error;
  uint32_t current_ns = 0;
  Interpreter* interp = nullptr;  // for the intrinsics that run code (eval, require, ...)
  uint32_t id = 0;                // the intrinsic called (a registered function's slot)

  // Records an error; returns false so that `return ctx.fail(...)` ends the intrinsic.
  bool fail(std::string reason, std::string message) {
    error = {std::move(reason), std::move(message)};
    return false;
  }
};

using NativeFn = bool (*)(NativeContext& ctx, std::span<Term> args, Term* result);

struct Intrinsic {
  const char* name;
  NativeFn fn;
  int min_args;
  int max_args;  // -1: any number
};

// Where println and friends write: stderr by default (in the batch REPL, stdout carries one
// result line per form); `lona run` sends program output to stdout.
void set_program_output(std::FILE* out);
std::FILE* program_output();

// The id of `apply`, which the interpreter carries out itself.
constexpr uint32_t kApplyIntrinsic = 0;

// Each family of intrinsics contributes a table; ids follow the order core, numeric, binary,
// kernel, process, runtime, time, realm, notification (kernel and process).
std::span<const Intrinsic> core_intrinsic_table();                  // core_intrinsics.cpp
std::span<const Intrinsic> numeric_intrinsic_table();               // numeric_intrinsics.cpp
std::span<const Intrinsic> binary_intrinsic_table();                // binary_intrinsics.cpp
std::span<const Intrinsic> kernel_intrinsic_table();                // kernel_types.cpp
std::span<const Intrinsic> process_intrinsic_table();               // process_intrinsics.cpp
std::span<const Intrinsic> runtime_intrinsic_table();               // runtime_intrinsics.cpp
std::span<const Intrinsic> time_intrinsic_table();                  // time_intrinsics.cpp
std::span<const Intrinsic> realm_intrinsic_table();                 // vm/realm/realm_intrinsics.cpp
std::span<const Intrinsic> notification_intrinsic_table();          // notification_intrinsics.cpp
std::span<const Intrinsic> notification_process_intrinsic_table();  // notification_intrinsics.cpp

// The built-in intrinsics: every family's table, in id order.
std::span<const Intrinsic> builtin_intrinsics();
// The intrinsic of a function registered at run time (vm/native/native_function.cpp): the ids
// past the built-ins.
const Intrinsic& registered_intrinsic(uint32_t id);
// The intrinsic table, indexed by id (what Term::native_fn holds). Inline: every call of an
// intrinsic looks its function up here.
inline const Intrinsic& intrinsic(uint32_t id) {
  static const std::span<const Intrinsic> builtins = builtin_intrinsics();
  return id < builtins.size() ? builtins[id] : registered_intrinsic(id);
}
uint32_t intrinsic_count();
// The id of the intrinsic named `name`, if there is one.
std::optional<uint32_t> find_intrinsic(std::string_view name);

// Defines a var for every intrinsic (its root is the native function) in the namespace of its
// family: lona.process for the process table, lona.time for the clocks, lona.core for the rest.
// Creates those namespaces.
void install_intrinsics();

}  // namespace lona
