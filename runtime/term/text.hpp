// runtime/term: strings (UTF-8 text) and binaries (immutable byte sequences) as terms.
#pragma once

#include <cstdint>
#include <string_view>

#include "runtime/term/heap.hpp"
#include "runtime/term/object.hpp"
#include "runtime/term/refc_binary.hpp"

namespace lona {

// `bytes` must not point into `heap` (the allocation may move it); copy such data out first.
Term make_string(Heap& heap, std::string_view utf8);
// A binary of more than kRefcBinaryThreshold bytes is made off the heap (refc_binary.hpp).
Term make_binary(Heap& heap, std::string_view bytes);
// The `length` bytes of binary `bin` from `offset` on (both checked by the caller; `bin` must be
// in a root, as it is when it is an argument). A part of more than kRefcBinaryThreshold bytes of
// an off-heap binary, and at least a quarter of its blob, is a sub-binary: it shares the blob,
// taking a reference, instead of copying the bytes (BEAM's sub-binaries). A smaller part, or a
// part of a small binary, is a copy, so that a small part does not keep a big blob alive.
Term binary_part(Heap& heap, Term bin, size_t offset, size_t length);

// A mutable byte buffer of `size` zero bytes (bytebuf-alloc). Only its owner writes it; it is
// never sent (a send of one is :badarg).
Term make_bytebuf(Heap& heap, size_t size);
inline bool is_bytebuf(Term t) { return is_object(t, ObjTag::kBytebuf); }
// The writable bytes of a bytebuf. Valid until the next allocation on the owning heap.
inline char* bytebuf_data(Term t) { return reinterpret_cast<char*>(object_of(t) + 2); }
inline size_t bytebuf_size(Term t) { return static_cast<size_t>(object_of(t)[1]); }

// Physical and virtual addresses (paddr, vaddr): a u64 each, compared by value.
Term make_address(Heap& heap, ObjTag kind, uint64_t address);
inline bool is_paddr(Term t) { return is_object(t, ObjTag::kPaddr); }
inline bool is_vaddr(Term t) { return is_object(t, ObjTag::kVaddr); }
inline uint64_t address_value(Term t) { return object_of(t)[1]; }

inline bool is_string(Term t) { return is_object(t, ObjTag::kString); }
inline bool is_binary(Term t) { return is_object(t, ObjTag::kBinary); }

// The bytes of a string or binary. Valid until the next allocation on the owning heap (an
// off-heap binary's, as long as the term is alive).
inline std::string_view byte_view(Term t) {
  const Word* p = object_of(t);
  if (is_refc_binary_object(p)) return {refc_blob_of(p)->data() + p[3], static_cast<size_t>(p[1])};
  return {reinterpret_cast<const char*>(p + 2), static_cast<size_t>(p[1])};
}

}  // namespace lona
