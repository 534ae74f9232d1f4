// runtime/term: the hash primitives behind term hashing; deterministic across runs and realms.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace lona::hashing {

// A strong 64-bit finalizer (the one from SplitMix64).
constexpr uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

constexpr uint64_t combine(uint64_t seed, uint64_t h) {
  return mix(seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2)));
}

// Hashes a byte string eight bytes at a time.
inline uint64_t bytes(std::string_view s, uint64_t seed) {
  uint64_t h = mix(seed ^ s.size());
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = mix(h ^ w) * 0x9e3779b97f4a7c15ULL;
  }
  uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix(h ^ tail);
}

}  // namespace lona::hashing
