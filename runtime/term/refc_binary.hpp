// runtime/term: binaries above 64 bytes, kept off the process heaps and shared by reference count.
//
// A big binary's bytes live in a RefcBlob, allocated once; on a heap the binary is a small object
// (ObjTag::kBinary with aux kAuxRefc: [byte length, RefcBlob*, offset]) that holds one
// reference. The offset makes sub-binaries: a big part of a big binary (binary_part, text.hpp)
// shares its blob. A
// message, a spawned closure or a literal that carries the binary copies the small object and
// takes another reference, so a megabyte sent to a process is not copied (DESIGN.md section 3:
// "large binaries shared by refcount"). Every copy that a heap holds is on that heap's list of
// off-heap objects (Heap::track_refc); a collection lets go of those it did not find live, and a
// heap that dies lets go of all of its own. An envelope lets go of its copies when it is destroyed.
// Copies into the literal area keep their reference for ever, as the literal area does its terms.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime/term/object.hpp"

namespace lona {

// Binaries of more bytes than this are made off the heap.
inline constexpr size_t kRefcBinaryThreshold = 64;
// The payload words of an off-heap binary's heap object: byte length, blob, offset in the blob.
inline constexpr size_t kRefcBinaryWords = 3;

struct RefcBlob {
  std::atomic<uint64_t> refs;
  size_t size;
  char* data() { return reinterpret_cast<char*>(this + 1); }
};

// A blob holding `bytes`, with one reference (the caller's).
RefcBlob* make_refc_blob(std::string_view bytes);

// True when the object at `obj` (a header word first) is an off-heap binary's heap object.
inline bool is_refc_binary_object(const Word* obj) {
  return header::tag(obj[0]) == ObjTag::kBinary && (header::aux(obj[0]) & kAuxRefc) != 0;
}
inline RefcBlob* refc_blob_of(const Word* obj) { return reinterpret_cast<RefcBlob*>(obj[2]); }

// Takes or drops a reference to the blob of the off-heap binary object `obj`; the last drop frees
// the blob.
inline void retain_refc(const Word* obj) {
  refc_blob_of(obj)->refs.fetch_add(1, std::memory_order_relaxed);
}
void release_refc(const Word* obj);

// For each off-heap binary object among the `words` words at `block` (a block of objects and cons
// cells laid end to end: a heap region a copy just filled, an envelope's fragment), f(object).
template <typename F>
void for_each_refc_binary(Word* block, size_t words, F&& f) {
  for (size_t i = 0; i < words;) {
    Word w = block[i];
    if (!header::is_header(w)) {  // a cons cell
      i += 2;
      continue;
    }
    if (is_refc_binary_object(block + i)) f(block + i);
    i += 1 + header::size(w);
  }
}

// Blobs alive in the whole OS process, and their bytes (tests and statistics).
size_t live_refc_blobs();
size_t live_refc_bytes();

}  // namespace lona
