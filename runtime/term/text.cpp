#include "runtime/term/text.hpp"

#include <cstring>
#include <string>

namespace lona {
namespace {

Term make_bytes(Heap& heap, ObjTag tag, std::string_view bytes) {
  size_t words = 1 + words_for_bytes(bytes.size());
  Word* p = heap.alloc(1 + words);
  p[0] = header::make(tag, 0, words);
  p[words] = 0;  // zero the padding of the last word so copies never read undefined bytes
  p[1] = bytes.size();
  if (!bytes.empty()) std::memcpy(p + 2, bytes.data(), bytes.size());
  return Term::boxed_ptr(p);
}

}  // namespace

Term make_string(Heap& heap, std::string_view utf8) {
  return make_bytes(heap, ObjTag::kString, utf8);
}
Term make_binary(Heap& heap, std::string_view bytes) {
  if (bytes.size() <= kRefcBinaryThreshold) return make_bytes(heap, ObjTag::kBinary, bytes);
  // First: it may collect, and the blob is not on the heap's list yet.
  Word* p = heap.alloc(1 + kRefcBinaryWords);
  p[0] = header::make(ObjTag::kBinary, kAuxRefc, kRefcBinaryWords);
  p[1] = bytes.size();
  p[2] = reinterpret_cast<Word>(make_refc_blob(bytes));
  p[3] = 0;
  heap.track_refc(p);
  return Term::boxed_ptr(p);
}

Term binary_part(Heap& heap, Term bin, size_t offset, size_t length) {
  const Word* src = object_of(bin);
  if (offset == 0 && length == byte_view(bin).size()) return bin;
  // A part shares the blob only when it is at least a quarter of it: a small part kept from a
  // big message must not keep all of it alive (BEAM's well-known binary leak).
  if (length <= kRefcBinaryThreshold || !is_refc_binary_object(src) ||
      length < refc_blob_of(src)->size / 4) {
    std::string part(byte_view(bin).substr(offset, length));  // out of the heap before allocating
    return make_binary(heap, part);
  }
  // Read before the allocation, which may move `bin`; the blob stays where it is, and alive, as
  // the caller holds `bin`.
  const Word blob = src[2];
  const Word start = src[3] + offset;
  Word* p = heap.alloc(1 + kRefcBinaryWords);
  p[0] = header::make(ObjTag::kBinary, kAuxRefc, kRefcBinaryWords);
  p[1] = length;
  p[2] = blob;
  p[3] = start;
  retain_refc(p);
  heap.track_refc(p);
  return Term::boxed_ptr(p);
}

Term make_bytebuf(Heap& heap, size_t size) {
  size_t words = 1 + words_for_bytes(size);
  Word* p = heap.alloc(1 + words);
  p[0] = header::make(ObjTag::kBytebuf, 0, words);
  std::memset(p + 2, 0, (words - 1) * sizeof(Word));
  p[1] = size;
  return Term::boxed_ptr(p);
}

Term make_address(Heap& heap, ObjTag kind, uint64_t address) {
  Word* p = heap.alloc(2);
  p[0] = header::make(kind, 0, 1);
  p[1] = address;
  return Term::boxed_ptr(p);
}

}  // namespace lona
