// runtime/term/bit_field: reading and writing bit fields of byte buffers, for the bit syntax
// (`#bits[...]`) both when a binary is built and when a pattern takes one apart.
//
// Fields are laid out most significant bit first: bit offset 0 is the high bit of byte 0, so a
// big-endian field is its bits in order, and `#bits[4:4 5:4]` is the byte 0x45. A little-endian
// field (whole bytes only) is the same field with its bytes reversed: reverse_bytes() on the value,
// then put_bits(), or get_bits() and then reverse_bytes().
//
// Offsets need not be byte aligned. Fields are at most 64 bits; wider ones are written limb by
// limb by the caller.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>

namespace lona::bits {

// The low `nbits` (0..64) bits of `value` set, the rest clear.
inline uint64_t low_bits(uint64_t value, uint32_t nbits) {
  return nbits >= 64 ? value : value & ((uint64_t{1} << nbits) - 1);
}

// Writes the low `nbits` (0..64) bits of `value` at `bit_offset` of `out`, most significant bit
// first. Higher bits of `value` are ignored; the bits of `out` around the field are kept, so
// fields can be written one after another into a zeroed buffer in any order.
inline void put_bits(uint8_t* out, size_t bit_offset, uint32_t nbits, uint64_t value) {
  assert(nbits <= 64);
  value = low_bits(value, nbits);
  size_t byte = bit_offset / 8;
  uint32_t used = static_cast<uint32_t>(bit_offset % 8);  // bits of this byte before the field
  while (nbits > 0) {
    uint32_t room = 8 - used;
    if (room > 8) __builtin_unreachable();  // clang-tidy's analyzer loses this bound otherwise
    uint32_t take = nbits < room ? nbits : room;
    uint32_t shift = room - take;  // the chunk's distance from the byte's low end
    uint32_t chunk = static_cast<uint32_t>(value >> (nbits - take)) & ((1u << take) - 1);
    uint32_t mask = ((1u << take) - 1) << shift;
    out[byte] = static_cast<uint8_t>((out[byte] & ~mask) | (chunk << shift));
    nbits -= take;
    ++byte;
    used = 0;
  }
}

// The `nbits` (0..64) bits at `bit_offset` of `data`, most significant bit first, as an unsigned
// number (sign_extend() makes a signed one).
inline uint64_t get_bits(const uint8_t* data, size_t bit_offset, uint32_t nbits) {
  assert(nbits <= 64);
  uint64_t value = 0;
  size_t byte = bit_offset / 8;
  uint32_t used = static_cast<uint32_t>(bit_offset % 8);
  while (nbits > 0) {
    uint32_t room = 8 - used;
    if (room > 8) __builtin_unreachable();
    uint32_t take = nbits < room ? nbits : room;
    uint32_t shift = room - take;
    uint32_t chunk = (static_cast<uint32_t>(data[byte]) >> shift) & ((1u << take) - 1);
    // take < 64 always, and value holds at most 64 - take bits here, so nothing is lost.
    value = (value << take) | chunk;
    nbits -= take;
    ++byte;
    used = 0;
  }
  return value;
}

// The low `nbytes` (0..8) bytes of `value` in reverse order (the other bytes are dropped): turns a
// little-endian field into the big-endian one put_bits() and get_bits() handle, and back.
inline uint64_t reverse_bytes(uint64_t value, uint32_t nbytes) {
  assert(nbytes <= 8);
  uint64_t out = 0;
  for (uint32_t i = 0; i < nbytes; ++i) {
    out = (out << 8) | ((value >> (8 * i)) & 0xFF);
  }
  return out;
}

// The `nbits`-bit two's complement number in the low bits of `value`, widened to 64 bits (as the
// bits of an int64_t). nbits of 0 gives 0.
inline uint64_t sign_extend(uint64_t value, uint32_t nbits) {
  assert(nbits <= 64);
  if (nbits == 0) return 0;
  if (nbits == 64) return value;
  uint64_t sign = uint64_t{1} << (nbits - 1);
  value = low_bits(value, nbits);
  return (value ^ sign) - sign;
}

}  // namespace lona::bits
