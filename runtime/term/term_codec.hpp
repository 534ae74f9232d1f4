// runtime/term: the serialized-term format (version 1, docs/protocol.md "Serialized terms") in
// which terms travel between realms, in the `[ubyte]` fields of ForwardMessage and SpawnInRequest.
//
// Intern tables, heaps and the id counters of refs are per realm, so a term travels by value:
// keywords and symbols by name, everything else by its parts. What has no meaning in another realm
// (functions, vars, namespaces, bytebufs, kernel objects, addresses) does not travel. Metadata
// does not travel either, and neither does what only changes printing: an f32 arrives as the f64
// of the same value and `42N` as `42`; both are equal (equality.hpp) to what was sent.
//
// Both directions walk with explicit stacks, never the C++ stack, and refuse nesting deeper than
// kMaxTermDepth collections, so what one realm encodes the other can decode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/term/heap.hpp"

namespace lona {

inline constexpr uint8_t kTermFormatVersion = 1;
// The most collections (tuples, vectors, lists, maps, sets) a term may hold nested in one another.
inline constexpr size_t kMaxTermDepth = 1000;

// Appends the version byte and the serialized form of `t` to *out. `realm` is this realm's id
// (never 0): a reference holds only its number, unique within the realm that made it, and travels
// with the realm beside it. When `t` holds something that cannot travel, or is nested deeper than
// kMaxTermDepth, returns false with *error saying what (the sender reports :badarg) and leaves
// *out as it was.
bool encode_term(Term t, uint64_t realm, std::vector<uint8_t>* out, std::string* error);

struct TermDecodeResult {
  bool ok = false;
  // When ok: on the heap given to decode_term, valid until its next allocation.
  Term value;
  // Otherwise: "malformed" (the bytes are no serialized term of format version 1) or
  // "unsupported" (a term this realm cannot hold: a reference made in another realm), and a
  // message with the byte offset where decoding stopped.
  std::string reason;
  std::string message;
};

// Decodes `bytes`, which must hold exactly one serialized term, onto `heap`. `realm` is this
// realm's id, as for encode_term. On failure nothing is left on the heap's term stack and the
// objects already made are garbage; any input is safe to pass.
TermDecodeResult decode_term(Heap& heap, std::span<const uint8_t> bytes, uint64_t realm);

}  // namespace lona
