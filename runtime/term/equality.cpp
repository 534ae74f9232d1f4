#include "runtime/term/equality.hpp"

#include <cmath>
#include <cstring>

#include "runtime/term/collections.hpp"
#include "runtime/term/hash.hpp"
#include "runtime/term/kernel_object.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"

namespace lona {
namespace {

// Per-kind seeds keep, e.g., (1 2) and [1 2] apart in hash space as they are in equality.
enum Seed : uint64_t {
  kSeedInteger = 0x1001,
  kSeedFloat,
  kSeedRatio,
  kSeedFixed,
  kSeedChar,
  kSeedString,
  kSeedSymbol,
  kSeedKeyword,
  kSeedList,
  kSeedTuple,
  kSeedVector,
  kSeedMap,
  kSeedSet,
  kSeedBinary,
  kSeedOther,
  // kSeedOther + 1 and + 2 are paddr and vaddr.
  kSeedCapability = kSeedOther + 3,
  kSeedMsgInfo,
};

bool equal_arrays(Term a, Term b) {
  size_t n = array_count(a);
  if (n != array_count(b)) return false;
  for (size_t i = 0; i < n; ++i) {
    if (!equal(array_at(a, i), array_at(b, i))) return false;
  }
  return true;
}

bool equal_lists(Term a, Term b) {
  while (a.is_cons() && b.is_cons()) {
    if (!equal(list_head(a), list_head(b))) return false;
    a = list_tail(a);
    b = list_tail(b);
  }
  if (a.is_cons() || b.is_cons()) return false;                                // different lengths
  return a == b || (!a.is_empty_list() && !b.is_empty_list() && equal(a, b));  // improper tails
}

bool equal_maps(Term a, Term b) {
  size_t n = map_count(a);
  if (n != map_count(b)) return false;
  for (size_t i = 0; i < n; ++i) {
    std::optional<Term> v = map_get(b, map_key(a, i));
    if (!v || !equal(map_value(a, i), *v)) return false;
  }
  return true;
}

bool equal_sets(Term a, Term b) {
  size_t n = set_count(a);
  if (n != set_count(b)) return false;
  for (size_t i = 0; i < n; ++i) {
    if (!set_contains(b, set_at(a, i))) return false;
  }
  return true;
}

uint64_t hash_int64(int64_t v) { return hashing::mix(static_cast<uint64_t>(v) ^ kSeedInteger); }

uint64_t hash_integer(Term t) {
  if (t.is_fixnum()) return hash_int64(t.fixnum_value());
  BigInt v = integer_value(t);
  if (v.fits_int64()) return hash_int64(v.to_int64());  // agree with the small representation
  uint64_t h = v.is_negative() ? kSeedInteger + 1 : kSeedInteger;
  for (uint64_t limb : v.limbs()) h = hashing::combine(h, limb);
  return h;
}

}  // namespace

bool equal(Term a, Term b) {
  if (a == b && !is_float(a)) return true;  // identity, except that NaN is not equal to itself
  Kind ka = kind_of(a);
  if (ka != kind_of(b)) return false;
  switch (ka) {
    case Kind::kInteger:
      if (a.is_fixnum() && b.is_fixnum()) return false;  // identical words were caught above
      return compare(integer_value(a), integer_value(b)) == 0;
    case Kind::kFloat:
      return float_value(a) == float_value(b);
    case Kind::kRatio:
      return equal(ratio_numerator(a), ratio_numerator(b)) &&
             equal(ratio_denominator(a), ratio_denominator(b));
    case Kind::kFixed:
      return fixed_kind(a) == fixed_kind(b) && fixed_bits(a) == fixed_bits(b);
    case Kind::kString:
    case Kind::kBinary:
      return byte_view(a) == byte_view(b);
    case Kind::kPaddr:
    case Kind::kVaddr:
      return object_of(a)[1] == object_of(b)[1];
    case Kind::kCapability:  // identity: the id survives moves and copies, the address does not
      return capability_id(a) == capability_id(b);
    case Kind::kMsgInfo:
      return msg_info_word(a) == msg_info_word(b);
    case Kind::kSymbol:
      return bare_symbol(a) == bare_symbol(b);
    case Kind::kList:
      return equal_lists(a, b);
    case Kind::kTuple:
    case Kind::kVector:
      return equal_arrays(a, b);
    case Kind::kMap:
      return equal_maps(a, b);
    case Kind::kSet:
      return equal_sets(a, b);
    default:
      return false;  // immediates of the same kind compare by identity, handled above
  }
}

uint64_t hash(Term t) {
  switch (kind_of(t)) {
    case Kind::kInteger:
      return hash_integer(t);
    case Kind::kFloat: {
      double d = float_value(t);
      if (d == 0) d = 0;  // -0.0 equals 0.0, so they must hash alike
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      return hashing::mix(bits ^ kSeedFloat);
    }
    case Kind::kRatio:
      return hashing::combine(hash(ratio_numerator(t)) ^ kSeedRatio, hash(ratio_denominator(t)));
    case Kind::kFixed:
      return hashing::combine(kSeedFixed + static_cast<uint64_t>(fixed_kind(t)), fixed_bits(t));
    case Kind::kChar:
      return hashing::mix(t.char_value() ^ (kSeedChar << 32));
    case Kind::kString:
      return hashing::bytes(byte_view(t), kSeedString);
    case Kind::kBinary:
      return hashing::bytes(byte_view(t), kSeedBinary);
    case Kind::kPaddr:
    case Kind::kVaddr:
      return hashing::combine(kind_of(t) == Kind::kPaddr ? kSeedOther + 1 : kSeedOther + 2,
                              object_of(t)[1]);
    case Kind::kCapability:
      return hashing::combine(kSeedCapability, capability_id(t));
    case Kind::kMsgInfo:
      return hashing::combine(kSeedMsgInfo, msg_info_word(t));
    case Kind::kSymbol:
      return hashing::mix(name_entry(bare_symbol(t)).hash ^ kSeedSymbol);
    case Kind::kKeyword:
      return hashing::mix(name_entry(t).hash ^ kSeedKeyword);
    case Kind::kList: {
      uint64_t h = kSeedList;
      for (; t.is_cons(); t = list_tail(t)) h = hashing::combine(h, hash(list_head(t)));
      // An improper tail is marked so that (1 . 2) and (1 2) hash apart.
      return t.is_empty_list() ? h : hashing::combine(h ^ 0x5bd1e995, hash(t));
    }
    case Kind::kTuple:
    case Kind::kVector: {
      uint64_t h = kind_of(t) == Kind::kTuple ? kSeedTuple : kSeedVector;
      for (size_t i = 0, n = array_count(t); i < n; ++i)
        h = hashing::combine(h, hash(array_at(t, i)));
      return h;
    }
    case Kind::kMap: {
      uint64_t sum = 0;  // order-insensitive, like equality
      for (size_t i = 0, n = map_count(t); i < n; ++i) {
        sum += hashing::combine(hash(map_key(t, i)), hash(map_value(t, i)));
      }
      return hashing::mix(sum ^ kSeedMap);
    }
    case Kind::kSet: {
      uint64_t sum = 0;
      for (size_t i = 0, n = set_count(t); i < n; ++i) sum += hashing::mix(hash(set_at(t, i)));
      return hashing::mix(sum ^ kSeedSet);
    }
    default:
      return hashing::mix(t.raw() ^ kSeedOther);
  }
}

}  // namespace lona
