// vm/intrinsics: the intrinsics that reach the language system itself: eval, read-string,
// namespaces (create-ns find-ns ns-name in-ns refer alias require load-file), macroexpand-1,
// macroexpand and garbage-collect.
#pragma once

#include "vm/intrinsics/native_context.hpp"

namespace lona::reflection {

bool eval(NativeContext& ctx, std::span<Term> args, Term* out);
bool read_string(NativeContext& ctx, std::span<Term> args, Term* out);
bool create_ns(NativeContext& ctx, std::span<Term> args, Term* out);
bool find_ns(NativeContext& ctx, std::span<Term> args, Term* out);
bool ns_name(NativeContext& ctx, std::span<Term> args, Term* out);
bool in_ns(NativeContext& ctx, std::span<Term> args, Term* out);
bool refer(NativeContext& ctx, std::span<Term> args, Term* out);
bool alias(NativeContext& ctx, std::span<Term> args, Term* out);
bool require(NativeContext& ctx, std::span<Term> args, Term* out);
bool load_file(NativeContext& ctx, std::span<Term> args, Term* out);
bool intern(NativeContext& ctx, std::span<Term> args, Term* out);
bool ns_map(NativeContext& ctx, std::span<Term> args, Term* out);
bool macroexpand_1(NativeContext& ctx, std::span<Term> args, Term* out);
bool macroexpand(NativeContext& ctx, std::span<Term> args, Term* out);
bool garbage_collect(NativeContext& ctx, std::span<Term> args, Term* out);

// The most expansions one macroexpand performs (like the compiler's limit per top-level form);
// past it, :macro-expansion-limit.
constexpr int kMaxMacroexpandSteps = 100000;

}  // namespace lona::reflection
