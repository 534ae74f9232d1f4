// runtime/native: building and reading terms from C++, for native actors and native functions.
//
// Terms live on a heap that moves them at any allocation (runtime/term/heap.hpp): a pointer term
// (a tuple, a string, a pid...) held in a C++ variable is stale after the next allocation on the
// same heap. The builders here push what they are given onto the heap's term stack before they
// allocate, so `tuple(heap, a, b, "text", 42)` is safe as long as a and b were valid when it was
// called: build nested terms into variables first, innermost first, then pass them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

#include "runtime/sched/runtime.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/heap.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"

namespace lona::native {

// A process id as Runtime and Process::id() know it: a local id, or the stand-in of a process of
// another realm (runtime/sched/remote_pids.hpp), which messages, links and monitors reach as well.
using Pid = uint64_t;

// Interned names: immediates, never moved, valid everywhere.
inline Term keyword(std::string_view name) { return make_keyword(name); }
inline Term symbol(std::string_view name) { return make_symbol(name); }

// Values that allocate (or may: a large integer).
inline Term integer(Heap& heap, int64_t v) { return make_integer(heap, v); }
inline Term string(Heap& heap, std::string_view utf8) { return make_string(heap, utf8); }
inline Term pid_term(Heap& heap, Pid pid) { return Runtime::get().pid_term(heap, pid); }

// An element of tuple()/vector(), wrapped so that it is made only once the terms before it are
// rooted: a pid, made into a pid term in place.
struct PidOf {
  Pid pid;
};

namespace detail {
// The term an element stands for: a Term as is, an integer, a bool, a string (text), a pid.
template <typename E>
Term make_element(Heap& heap, const E& e) {
  if constexpr (std::is_same_v<E, Term>) {
    return e;
  } else if constexpr (std::is_same_v<E, bool>) {
    return Term::boolean(e);
  } else if constexpr (std::is_integral_v<E>) {
    return make_integer(heap, static_cast<int64_t>(e));
  } else if constexpr (std::is_same_v<E, PidOf>) {
    return pid_term(heap, e.pid);
  } else {
    return make_string(heap, std::string_view(e));
  }
}

// A Term element is pushed as is in the first pass; the others must not allocate then.
template <typename E>
Term make_element_if_term(const E& e) {
  if constexpr (std::is_same_v<E, Term>) {
    return e;
  } else {
    return Term::nil();
  }
}

// Pushes the Term elements (rooting them) and placeholders for the others, then makes the others
// in place, left to right.
template <typename... E>
void push_elements(Heap& heap, const E&... elems) {
  size_t base = heap.stack().size();
  (heap.push(make_element_if_term(elems)), ...);
  size_t i = base;
  (
      [&] {
        if constexpr (!std::is_same_v<E, Term>) heap.stack()[i] = detail::make_element(heap, elems);
        ++i;
      }(),
      ...);
}

}  // namespace detail

// [e0 e1 ...]: a tuple of Terms, integers, bools, strings (const char*, std::string_view) and
// PidOf{pid}.
template <typename... E>
Term tuple(Heap& heap, const E&... elems) {
  detail::push_elements(heap, elems...);
  return tuple_from_stack(heap, sizeof...(E));
}

// {e0 e1 ...}: a vector, elements as for tuple().
template <typename... E>
Term vector(Heap& heap, const E&... elems) {
  detail::push_elements(heap, elems...);
  return vector_from_stack(heap, sizeof...(E));
}

// --- reading -------------------------------------------------------------------------------------

// The Pid a pid term names (a process of another realm: its stand-in).
inline std::optional<Pid> pid_of(Term t) {
  if (!is_pid(t)) return std::nullopt;
  Runtime& runtime = Runtime::get();
  if (pid_realm(t) == runtime.realm_id()) return pid_local(t);
  return runtime.remote_pids().stand_in(pid_realm(t), pid_local(t));
}

// The value of an integer that fits in 64 bits.
inline std::optional<int64_t> int_of(Term t) {
  if (t.is_fixnum()) return t.fixnum_value();
  if (is_bigint(t)) return integer_as_int64(t);
  return std::nullopt;
}

// The text of a string.
inline std::optional<std::string_view> text_of(Term t) {
  if (!is_string(t)) return std::nullopt;
  return byte_view(t);
}

// True when t is a tuple of `size` elements whose first is `tag` (a keyword): [:tag ...].
inline bool is_tagged(Term t, Term tag, size_t size) {
  return is_tuple(t) && array_count(t) == size && array_at(t, 0) == tag;
}

// Element i of a tuple or vector (no bounds check: see array_count).
inline Term at(Term tuple_or_vector, size_t i) { return array_at(tuple_or_vector, i); }

// [:DOWN ref pid reason], what a monitor delivers when its target exits.
struct Down {
  uint64_t ref;
  Pid pid;
  Term reason;  // on the heap, valid until the next allocation
};
inline std::optional<Down> down_of(Term t) {
  static const Term kDown = make_keyword("DOWN");
  if (!is_tagged(t, kDown, 4) || !is_ref(at(t, 1)) || !is_pid(at(t, 2))) return std::nullopt;
  return Down{ref_id(at(t, 1)), pid_local(at(t, 2)), at(t, 3)};
}

// [:EXIT pid reason], what a linked process's exit becomes for a process that traps exits.
struct ExitMessage {
  Pid pid;
  Term reason;  // on the heap, valid until the next allocation
};
inline std::optional<ExitMessage> exit_of(Term t) {
  static const Term kExit = make_keyword("EXIT");
  if (!is_tagged(t, kExit, 3) || !is_pid(at(t, 1))) return std::nullopt;
  return ExitMessage{pid_local(at(t, 1)), at(t, 2)};
}

}  // namespace lona::native
