// runtime/term: layout of boxed objects (the header word and the kinds of object behind it).
//
// A boxed object is a header word followed by `size` payload words:
//
//   bits 63..16  payload size in words (not counting the header)
//   bits 15..8   aux: per-kind flags (f32, fixed-width kind, bigint sign, has-metadata)
//   bits  7..2   object tag
//   bits  1..0   00 (a header is never a valid term, which is how the GC tells a boxed object
//                from a headerless cons cell when it scans a heap)
//
// Tags below kFirstRawTag have payloads made only of terms; the GC scans them. Tags from
// kFirstRawTag up hold raw bytes that the GC copies without looking inside.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/term/term.hpp"

namespace lona {

enum class ObjTag : uint8_t {
  // Term payloads.
  kTuple = 0,       // [elements..., meta?]
  kVector = 1,      // [elements..., meta?]
  kMap = 2,         // [index, k0, v0, k1, v1, ..., meta?]   index: nil or a kHashIndex object
  kSet = 3,         // [index, e0, e1, ..., meta?]
  kRatio = 4,       // [numerator, denominator]  both integers, reduced, denominator > 1
  kMetaSymbol = 5,  // [symbol, meta]  a symbol carrying metadata; equal to the bare symbol
  kClosure = 6,     // [code, captured values...]  code: the function's Code* as a fixnum (ptr >> 3)
  // Raw payloads.
  kString = 32,      // [byte length, UTF-8 bytes...]
  kBinary = 33,      // [byte length, bytes...]
  kBigInt = 34,      // [limbs...]  magnitude, little-endian 64-bit limbs; sign in aux
  kFloat = 35,       // [double]  aux kAuxF32 when the value is an f32 (stored widened)
  kFixedInt = 36,    // [value]  aux = FixedKind; value stored sign- or zero-extended
  kHashIndex = 37,   // [slot count, uint32 slots...]  open-addressing index of a large map or set
  kBytebuf = 38,     // [byte length, bytes...]  mutable, owned by one process, never sent
  kPaddr = 39,       // [address]  a physical address (u64)
  kVaddr = 40,       // [address]  a virtual address (u64)
  kCapability = 41,  // [id, rights << 8 | type]  a (simulated) kernel capability; see kernel_object
  kMsgInfo = 42,     // [seL4 message-info word]  label, caps, length packed as seL4 packs them
  kPid = 43,         // [local id, realm id]  see pid.hpp
  kRef = 44,         // [id]
  kRealmId = 45,     // [id]
};
constexpr uint8_t kFirstRawTag = 32;

// aux flags
constexpr uint8_t kAuxHasMeta = 0x80;      // tuple, vector, map, set: last payload word is metadata
constexpr uint8_t kAuxF32 = 0x01;          // float
constexpr uint8_t kAuxNegative = 0x01;     // bigint
constexpr uint8_t kAuxExplicitBig = 0x02;  // bigint written with N: prints with N even when small
constexpr uint8_t kAuxRefc =
    0x01;  // binary: off the heap, [byte length, RefcBlob*, offset] (refc_binary.hpp)

// Fixed-width integer kinds, in aux of kFixedInt.
enum class FixedKind : uint8_t { kU8, kU16, kU32, kU64, kI8, kI16, kI32, kI64 };

namespace header {
constexpr Word make(ObjTag tag, uint8_t aux, size_t payload_words) {
  return (Word{payload_words} << 16) | (Word{aux} << 8) | (Word{static_cast<uint8_t>(tag)} << 2);
}
constexpr ObjTag tag(Word h) { return static_cast<ObjTag>((h >> 2) & 0x3F); }
constexpr uint8_t aux(Word h) { return static_cast<uint8_t>(h >> 8); }
constexpr size_t size(Word h) { return static_cast<size_t>(h >> 16); }
constexpr bool is_header(Word w) { return (w & 3) == 0; }
constexpr bool has_raw_payload(Word h) { return static_cast<uint8_t>(tag(h)) >= kFirstRawTag; }
}  // namespace header

// The object a boxed term points to.
inline Word* object_of(Term t) { return t.boxed_object(); }
inline ObjTag object_tag(Term t) { return header::tag(*t.boxed_object()); }
inline uint8_t object_aux(Term t) { return header::aux(*t.boxed_object()); }
inline size_t object_size(Term t) { return header::size(*t.boxed_object()); }
inline bool is_object(Term t, ObjTag tag) { return t.is_boxed() && object_tag(t) == tag; }
// Payload word i (0-based, after the header) read or written as a term. Heap words are only ever
// accessed as Word, never through a Term*, so there is no type punning.
inline Term payload_term(Term t, size_t i) { return Term::from_raw(t.boxed_object()[1 + i]); }
inline void set_payload_term(Word* object, size_t i, Term v) { object[1 + i] = v.raw(); }

constexpr size_t words_for_bytes(size_t bytes) { return (bytes + 7) / 8; }

}  // namespace lona
