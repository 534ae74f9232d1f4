// runtime/term: strings (UTF-8 text) and binaries (immutable byte sequences) as terms.
#pragma once

#include <string_view>

#include "runtime/term/heap.hpp"
#include "runtime/term/object.hpp"

namespace lona {

// `bytes` must not point into `heap` (the allocation may move it); copy such data out first.
Term make_string(Heap& heap, std::string_view utf8);
Term make_binary(Heap& heap, std::string_view bytes);

inline bool is_string(Term t) { return is_object(t, ObjTag::kString); }
inline bool is_binary(Term t) { return is_object(t, ObjTag::kBinary); }

// The bytes of a string or binary. Valid until the next allocation on the owning heap.
inline std::string_view byte_view(Term t) {
  const Word* p = object_of(t);
  return {reinterpret_cast<const char*>(p + 2), static_cast<size_t>(p[1])};
}

}  // namespace lona
