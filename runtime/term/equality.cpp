#include "runtime/term/equality.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "runtime/term/collections.hpp"
#include "runtime/term/hash.hpp"
#include "runtime/term/kernel_object.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"

// Equality and hashing must work on terms of any depth (a million nested tuples is a value a
// program can build) without overflowing the C++ stack. Most terms are shallow, and plain
// recursion is the fastest walk for them, so both recurse for the first kMaxRecursion levels and
// hand anything deeper to an iterative walk with an explicit stack (which starts in place and
// moves to the C++ heap only when the term is deep). The two walks share the per-kind rules.

namespace lona {
namespace {

// Levels of C++ recursion before the iterative walks take over: small enough that the frames fit
// any stack (sanitizer builds included), large enough that real data never reaches it.
constexpr int kMaxRecursion = 64;

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
  kSeedPid,
  kSeedRef,
  kSeedRealmId,
};

// Marks an improper list tail in the hash so that (1 . 2) and (1 2) hash apart.
constexpr uint64_t kImproperTail = 0x5bd1e995;

// A stack of trivially copyable T (with indexed access, for ranges of it that frames own) that
// keeps its first N entries in place and the rest in chunks of C on the C++ heap. Chunks are never
// moved or copied as the stack grows (copying a growing array showed up as a third of the time of
// a deep walk) and stay allocated until the stack is destroyed.
template <typename T, size_t N, size_t C = 512>
class WorkStack {
 public:
  WorkStack() {}  // user-provided: value-initialisation must not zero the buffer
  WorkStack(const WorkStack&) = delete;
  WorkStack& operator=(const WorkStack&) = delete;

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  T& back() { return top_[-1]; }
  T& operator[](size_t i) {
    if (i < N) return first()[i];
    return chunk(i - N)[(i - N) % C];
  }
  void push_back(T v) {  // by value: v may be an entry of this stack
    if (top_ == end_) next_chunk();
    *top_++ = v;
    ++size_;
  }
  // A new entry on top, for the caller to fill in (in place: building a T elsewhere and copying
  // it in costs a store-forwarding stall per push).
  T& push() {
    if (top_ == end_) next_chunk();
    ++size_;
    return *top_++;
  }
  void pop_back() {
    --size_;
    if (--top_ == begin_ && size_ != 0) locate();
  }
  void truncate(size_t n) {
    size_ = n;
    locate();
  }

 private:
  T* first() { return reinterpret_cast<T*>(inline_); }
  T* chunk(size_t offset) { return reinterpret_cast<T*>(chunks_[offset / C].get()); }

  // Points begin_, top_ and end_ at the chunk holding the last entry (the first when empty), so
  // that back() is top_[-1].
  void locate() {
    if (size_ <= N) {
      begin_ = first();
      top_ = begin_ + size_;
      end_ = begin_ + N;
      return;
    }
    begin_ = chunk(size_ - N - 1);
    top_ = begin_ + (size_ - N - 1) % C + 1;
    end_ = begin_ + C;
  }

  // The current chunk is full: moves to the next, allocating it the first time.
  [[gnu::noinline]] void next_chunk() {
    size_t k = (size_ - N) / C;
    if (k == chunks_.size()) chunks_.emplace_back(new std::byte[C * sizeof(T)]);
    begin_ = top_ = reinterpret_cast<T*>(chunks_[k].get());
    end_ = begin_ + C;
  }

  static_assert(std::is_trivially_copyable_v<T>);
  // Raw storage, so that no constructor of T runs for unused entries (an entry is written whole
  // by push_back, or by the caller of push before anything reads it).
  alignas(T) std::byte inline_[N * sizeof(T)];
  T* begin_ = first();
  T* top_ = first();
  T* end_ = first() + N;
  size_t size_ = 0;
  std::vector<std::unique_ptr<std::byte[]>> chunks_;
};

// Collections are what equality and hashing descend into; everything else is compared or hashed
// by looking at it alone (a ratio only at its two integers).
inline bool is_collection(Term t) {
  if (t.is_cons()) return true;
  if (!t.is_boxed()) return false;
  ObjTag tag = object_tag(t);
  return tag == ObjTag::kTuple || tag == ObjTag::kVector || tag == ObjTag::kMap ||
         tag == ObjTag::kSet;
}

// --- hashing -------------------------------------------------------------------------------------

uint64_t hash_int64(int64_t v) { return hashing::mix(static_cast<uint64_t>(v) ^ kSeedInteger); }

uint64_t hash_integer(Term t) {
  if (t.is_fixnum()) return hash_int64(t.fixnum_value());
  BigInt v = integer_value(t);
  if (v.fits_int64()) return hash_int64(v.to_int64());  // agree with the small representation
  uint64_t h = v.is_negative() ? kSeedInteger + 1 : kSeedInteger;
  for (uint64_t limb : v.limbs()) h = hashing::combine(h, limb);
  return h;
}

// The hash of a term that is not a collection (the empty list included).
uint64_t hash_leaf(Term t) {
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
      return hashing::combine(hash_integer(ratio_numerator(t)) ^ kSeedRatio,
                              hash_integer(ratio_denominator(t)));
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
    case Kind::kPid:
      return hashing::combine(kSeedPid, hashing::combine(pid_realm(t), pid_local(t)));
    case Kind::kRef:
      return hashing::combine(kSeedRef, ref_id(t));
    case Kind::kRealmId:
      return hashing::combine(kSeedRealmId, realm_id_value(t));
    case Kind::kSymbol:
      return hashing::mix(name_entry(bare_symbol(t)).hash ^ kSeedSymbol);
    case Kind::kKeyword:
      return hashing::mix(name_entry(t).hash ^ kSeedKeyword);
    case Kind::kList:  // the empty list; lists with elements are collections
      return kSeedList;
    default:
      return hashing::mix(t.raw() ^ kSeedOther);
  }
}

// How collections hash, as folds over their children shared by the recursive and the iterative
// walk: lists and arrays combine element hashes left to right (an improper list tail is marked),
// maps and sets sum per-entry hashes (order-insensitive, like equality) and mix the sum.
namespace fold {
inline uint64_t element(uint64_t acc, uint64_t h) { return hashing::combine(acc, h); }
inline uint64_t improper_tail(uint64_t acc, uint64_t h) {
  return hashing::combine(acc ^ kImproperTail, h);
}
inline uint64_t entry(uint64_t key, uint64_t value) { return hashing::combine(key, value); }
inline uint64_t member(uint64_t h) { return hashing::mix(h); }
inline uint64_t map(uint64_t sum) { return hashing::mix(sum ^ kSeedMap); }
inline uint64_t set(uint64_t sum) { return hashing::mix(sum ^ kSeedSet); }
}  // namespace fold

// Hashes of collections that hold collections, remembered through one equality test: comparing
// maps or sets with many collection keys hashes those keys, and without this a chain of such
// maps nested n deep would be hashed again at each level (n^2 work).
using HashMemo = absl::flat_hash_map<Word, uint64_t>;

const uint64_t* remembered(const HashMemo* memo, Term t) {
  if (memo == nullptr) return nullptr;
  auto it = memo->find(t.raw());
  return it == memo->end() ? nullptr : &it->second;
}

// One collection being hashed by the iterative walk: the fold so far and a cursor over the
// children.
struct HashFrame {
  Term start;        // the collection (the memo's key)
  Term cur;          // lists: the next cell (or the tail once the cells are done)
  size_t next = 0;   // the next child; lists: 0 along the cells, 1 after an improper tail
  size_t count = 0;  // arrays and sets: elements; maps: 2 * entries
  uint64_t acc = 0;  // the fold so far
  uint64_t key = 0;  // maps: the hash of the key whose value comes next
  Kind kind = Kind::kList;
  bool nested = false;  // a child was a collection: worth remembering in the memo
};

void open_hash_frame(HashFrame& f, Term t) {
  f.start = t;
  f.cur = t;
  f.next = 0;
  f.acc = 0;
  f.key = 0;
  f.kind = kind_of(t);
  f.nested = false;
  switch (f.kind) {
    case Kind::kList:
      f.acc = kSeedList;
      f.count = 0;
      break;
    case Kind::kTuple:
      f.acc = kSeedTuple;
      f.count = array_count(t);
      break;
    case Kind::kVector:
      f.acc = kSeedVector;
      f.count = array_count(t);
      break;
    case Kind::kMap:
      f.count = 2 * map_count(t);
      break;
    default:  // kSet
      f.count = set_count(t);
      break;
  }
}

// Folds the hash of f's latest child into f.
void feed_hash(HashFrame& f, uint64_t h) {
  switch (f.kind) {
    case Kind::kList:
      f.acc = f.next == 0 ? fold::element(f.acc, h) : fold::improper_tail(f.acc, h);
      break;
    case Kind::kTuple:
    case Kind::kVector:
      f.acc = fold::element(f.acc, h);
      break;
    case Kind::kMap:
      if (f.next & 1) {
        f.key = h;  // a key (child 2i, so next is odd); its value comes next
      } else {
        f.acc += fold::entry(f.key, h);
      }
      break;
    default:  // kSet
      f.acc += fold::member(h);
      break;
  }
}

// Moves through f's children, folding in the leaves, up to the next child that is a collection
// (true, in *child) or the end (false).
bool next_collection_child(HashFrame& f, Term* child) {
  switch (f.kind) {
    case Kind::kList:
      while (f.cur.is_cons()) {
        Term x = list_head(f.cur);
        f.cur = list_tail(f.cur);
        if (is_collection(x)) {
          *child = x;
          return true;
        }
        f.acc = fold::element(f.acc, hash_leaf(x));
      }
      if (f.cur.is_empty_list() || f.next != 0) return false;
      f.next = 1;  // an improper tail (never a cons cell, but maybe another collection)
      if (is_collection(f.cur)) {
        *child = f.cur;
        return true;
      }
      f.acc = fold::improper_tail(f.acc, hash_leaf(f.cur));
      return false;
    case Kind::kTuple:
    case Kind::kVector:
      while (f.next < f.count) {
        Term x = array_at(f.start, f.next++);
        if (is_collection(x)) {
          *child = x;
          return true;
        }
        f.acc = fold::element(f.acc, hash_leaf(x));
      }
      return false;
    default:  // maps: k0 v0 k1 v1 ... after the index; sets: elements after the index
      while (f.next < f.count) {
        Term x = payload_term(f.start, 1 + f.next++);
        if (is_collection(x)) {
          *child = x;
          return true;
        }
        feed_hash(f, hash_leaf(x));
      }
      return false;
  }
}

uint64_t close_hash_frame(const HashFrame& f) {
  switch (f.kind) {
    case Kind::kMap:
      return fold::map(f.acc);
    case Kind::kSet:
      return fold::set(f.acc);
    default:
      return f.acc;
  }
}

// The hash of a collection, with an explicit stack of the collections being hashed. With a memo,
// it reuses and records the hashes of collections that hold collections.
[[gnu::noinline]] uint64_t hash_deep(Term t, HashMemo* memo) {
  if (const uint64_t* known = remembered(memo, t)) return *known;
  WorkStack<HashFrame, 16> stack;
  open_hash_frame(stack.push(), t);
  for (;;) {
    HashFrame& f = stack.back();
    Term child;
    if (next_collection_child(f, &child)) {
      f.nested = true;
      if (const uint64_t* known = remembered(memo, child)) {
        feed_hash(f, *known);
      } else {
        open_hash_frame(stack.push(), child);
      }
      continue;
    }
    uint64_t h = close_hash_frame(f);
    if (memo && f.nested) memo->emplace(f.start.raw(), h);
    stack.pop_back();
    if (stack.empty()) return h;
    feed_hash(stack.back(), h);
  }
}

// The same hash, recursing for the first levels (see the top of the file). The check for leaves
// is inlined into the loops over children; only collections cost a call.
uint64_t hash_collection(Term t, int depth);

inline uint64_t hash_at(Term t, int depth) {
  return is_collection(t) ? hash_collection(t, depth) : hash_leaf(t);
}

uint64_t hash_collection(Term t, int depth) {
  if (depth >= kMaxRecursion) return hash_deep(t, nullptr);
  switch (kind_of(t)) {
    case Kind::kList: {
      uint64_t h = kSeedList;
      for (; t.is_cons(); t = list_tail(t)) h = fold::element(h, hash_at(list_head(t), depth + 1));
      return t.is_empty_list() ? h : fold::improper_tail(h, hash_at(t, depth + 1));
    }
    case Kind::kTuple:
    case Kind::kVector: {
      uint64_t h = kind_of(t) == Kind::kTuple ? kSeedTuple : kSeedVector;
      for (size_t i = 0, n = array_count(t); i < n; ++i)
        h = fold::element(h, hash_at(array_at(t, i), depth + 1));
      return h;
    }
    case Kind::kMap: {
      uint64_t sum = 0;
      for (size_t i = 0, n = map_count(t); i < n; ++i) {
        sum += fold::entry(hash_at(map_key(t, i), depth + 1), hash_at(map_value(t, i), depth + 1));
      }
      return fold::map(sum);
    }
    default: {  // kSet
      uint64_t sum = 0;
      for (size_t i = 0, n = set_count(t); i < n; ++i)
        sum += fold::member(hash_at(set_at(t, i), depth + 1));
      return fold::set(sum);
    }
  }
}

// --- equality ------------------------------------------------------------------------------------

bool equal_integers(Term a, Term b) {
  if (a.is_fixnum() && b.is_fixnum()) return a == b;
  return compare(integer_value(a), integer_value(b)) == 0;
}

// Equality of two terms of kind k that are not collections and not identical (unless floats).
bool equal_leaves(Kind k, Term a, Term b) {
  switch (k) {
    case Kind::kInteger:
      return equal_integers(a, b);
    case Kind::kFloat:
      return float_value(a) == float_value(b);
    case Kind::kRatio:
      return equal_integers(ratio_numerator(a), ratio_numerator(b)) &&
             equal_integers(ratio_denominator(a), ratio_denominator(b));
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
    case Kind::kPid:
      return pid_local(a) == pid_local(b) && pid_realm(a) == pid_realm(b);
    case Kind::kRef:
      return ref_id(a) == ref_id(b);
    case Kind::kRealmId:
      return realm_id_value(a) == realm_id_value(b);
    case Kind::kSymbol:
      return bare_symbol(a) == bare_symbol(b);
    default:
      return false;  // immediates of the same kind compare by identity (done by the caller)
  }
}

// equal for a pair whose first term is not a collection (so neither is the second, if equal).
inline bool equal_leaf_terms(Term a, Term b) {
  if (a == b && !is_float(a)) return true;  // identity, except that NaN is not equal to itself
  Kind k = kind_of(a);
  if (k != kind_of(b)) return false;
  if (!a.is_pointer() && !b.is_pointer()) return false;  // immediates: identity, checked above
  return equal_leaves(k, a, b);
}

// The number of elements or entries of a tuple, vector, map or set (nothing for lists).
size_t collection_count(Term t) {
  switch (object_tag(t)) {
    case ObjTag::kMap:
      return map_count(t);
    case ObjTag::kSet:
      return set_count(t);
    default:
      return array_count(t);
  }
}

// Compares two collections depth first with an explicit stack of frames, one per pair of
// collections being compared, each with a cursor over its pairs of children.
//
// Maps and sets compare unordered: each key of a is looked up in b. A key that is not a
// collection is found with map_get / set_contains, which cannot recurse (equal of it against
// anything looks at two leaves at most). A key that is a collection is matched here instead, so
// that a deep key (or sets nested in sets a million deep) costs no C++ stack: its candidates in b
// are b's collection keys of the same kind and size (when b has at most kIndexThreshold of them)
// or of the same hash (beyond that). A single candidate just becomes one more pair to compare.
// With several, a choice frame tries them in turn: a mismatch anywhere inside a candidate's
// comparison unwinds the stack back to the innermost choice being tried, which moves on to its
// next candidate; a choice that runs out of candidates is a mismatch itself. The first candidate
// equal to the key is the key's match (keys of a map are pairwise unequal, so there is at most
// one), and its value is compared then, as map_get would.
class EqualMachine {
 public:
  EqualMachine() {}  // user-provided, so that EqualMachine() does not zero the stacks' buffers

  bool run(Term a, Term b) {
    Step s = compare(a, b);
    for (;;) {
      if (s == Step::kUnequal && !backtrack()) return false;
      if (frames_.empty()) return true;
      s = advance();
    }
  }

 private:
  enum class Step { kEqual, kUnequal, kPushed };
  enum class FrameKind : uint8_t { kList, kArray, kPairs, kChoice };
  struct Pair {
    Term a, b;
  };
  struct Frame {
    FrameKind kind;
    bool trying;      // choice: the comparison of a candidate is under way above this frame
    bool with_value;  // choice: map entries (compare values after the key matches)
    Term a, b;        // lists: the next cells; arrays: the arrays; choice: a's key and value
    size_t next;      // arrays: next index; pairs: next entry of pairs_; choice: next candidate
    size_t end;       // arrays: element count; pairs and choice: end of their range of pairs_
    size_t mark;      // pairs: size of pairs_ to restore when done; choice: size when trying
  };

  // Compares a and b if that takes no descent, else pushes a frame that will.
  Step compare(Term a, Term b) {
    if (a == b && !is_float(a)) return Step::kEqual;  // identity, except NaN != NaN
    Kind k = kind_of(a);
    if (k != kind_of(b)) return Step::kUnequal;
    switch (k) {
      case Kind::kList:
        if (!a.is_cons() || !b.is_cons()) return Step::kUnequal;  // one is the empty list
        frames_.push_back({FrameKind::kList, false, false, a, b, 0, 0, 0});
        return Step::kPushed;
      case Kind::kTuple:
      case Kind::kVector: {
        size_t n = array_count(a);
        if (n != array_count(b)) return Step::kUnequal;
        if (n == 0) return Step::kEqual;
        frames_.push_back({FrameKind::kArray, false, false, a, b, 0, n, 0});
        return Step::kPushed;
      }
      case Kind::kMap:
      case Kind::kSet:
        return compare_keyed(a, b, k == Kind::kMap);
      default:
        return equal_leaves(k, a, b) ? Step::kEqual : Step::kUnequal;
    }
  }

  // The next step of the top frame.
  Step advance() {
    Frame& f = frames_.back();
    switch (f.kind) {
      case FrameKind::kList: {
        while (f.a.is_cons() && f.b.is_cons()) {
          Term x = list_head(f.a), y = list_head(f.b);
          f.a = list_tail(f.a);
          f.b = list_tail(f.b);
          if (is_collection(x)) return compare(x, y);
          if (!equal_leaf_terms(x, y)) return Step::kUnequal;
        }
        Term x = f.a, y = f.b;
        frames_.pop_back();
        if (x.is_cons() || y.is_cons()) return Step::kUnequal;  // different lengths
        if (x == y) return Step::kEqual;                        // both (), or the same tail
        if (x.is_empty_list() || y.is_empty_list()) return Step::kUnequal;
        return compare(x, y);  // improper tails
      }
      case FrameKind::kArray:
        while (f.next < f.end) {
          Term x = array_at(f.a, f.next), y = array_at(f.b, f.next);
          ++f.next;
          if (is_collection(x)) return compare(x, y);
          if (!equal_leaf_terms(x, y)) return Step::kUnequal;
        }
        frames_.pop_back();
        return Step::kEqual;
      case FrameKind::kPairs:
        if (f.next < f.end) {
          Pair p = pairs_[f.next++];
          return compare(p.a, p.b);
        }
        pairs_.truncate(f.mark);
        frames_.pop_back();
        return Step::kEqual;
      case FrameKind::kChoice:
        if (f.trying) return commit();  // everything above it finished: the candidate matched
        return try_candidates();
    }
    return Step::kUnequal;
  }

  // The top frame is a choice whose current candidate key matched: compare the values.
  Step commit() {
    Frame& f = frames_.back();
    Term value = f.b;
    bool with_value = f.with_value;
    Term other_value = pairs_[f.next - 1].b;
    frames_.pop_back();
    return with_value ? compare(value, other_value) : Step::kEqual;
  }

  // The top frame is a choice not trying anything: tries its remaining candidates.
  Step try_candidates() {
    for (;;) {
      Frame& f = frames_.back();
      if (f.next == f.end) {
        frames_.pop_back();
        return Step::kUnequal;  // the key is in no candidate
      }
      f.trying = true;
      f.mark = pairs_.size();
      Term key = f.a, candidate = pairs_[f.next++].a;
      Step s = compare(key, candidate);
      if (s == Step::kPushed) return s;
      if (s == Step::kEqual) return commit();
      frames_.back().trying = false;
    }
  }

  // Unwinds after a mismatch to the innermost choice that is trying a candidate, so that it moves
  // on to the next; false when there is none (the terms differ).
  bool backtrack() {
    while (!frames_.empty()) {
      Frame& f = frames_.back();
      if (f.kind == FrameKind::kChoice && f.trying) {
        f.trying = false;
        pairs_.truncate(f.mark);
        return true;
      }
      frames_.pop_back();
    }
    return false;
  }

  // Maps (with_value) and sets: counts, then every key of a must be in b with an equal value.
  [[gnu::noinline]] Step compare_keyed(Term a, Term b, bool with_value) {
    size_t n = with_value ? map_count(a) : set_count(a);
    if (n != (with_value ? map_count(b) : set_count(b))) return Step::kUnequal;
    size_t stride = with_value ? 2 : 1;
    size_t mark = pairs_.size();
    size_t collection_keys = 0;
    for (size_t i = 0; i < n; ++i) {
      Term key = payload_term(a, 1 + i * stride);
      if (is_collection(key)) {
        ++collection_keys;
        continue;
      }
      if (!with_value) {
        if (!set_contains(b, key)) return unequal_keyed(mark);
        continue;
      }
      std::optional<Term> other = map_get(b, key);
      if (!other) return unequal_keyed(mark);
      Term value = payload_term(a, 2 + i * stride);
      if (is_collection(value) || is_collection(*other)) {
        pairs_.push_back({value, *other});
      } else if (!equal(value, *other)) {  // two leaves: no descent
        return unequal_keyed(mark);
      }
    }
    if (collection_keys == 0) {
      if (pairs_.size() == mark) return Step::kEqual;
      frames_.push_back({FrameKind::kPairs, false, false, {}, {}, mark, pairs_.size(), mark});
      return Step::kPushed;
    }
    return match_collection_keys(a, b, n, stride, mark);
  }

  Step unequal_keyed(size_t mark) {
    pairs_.truncate(mark);
    return Step::kUnequal;
  }

  // The part of compare_keyed for keys that are collections; see the class comment.
  Step match_collection_keys(Term a, Term b, size_t n, size_t stride, size_t mark) {
    // The common deep shape first: b has one key that is a collection, the only candidate of
    // every such key of a.
    size_t only = n, count = 0;
    for (size_t j = 0; j < n && count < 2; ++j) {
      if (is_collection(payload_term(b, 1 + j * stride))) {
        only = j;
        ++count;
      }
    }
    if (count == 0) return unequal_keyed(mark);
    if (count > 1) return match_among_collection_keys(a, b, n, stride, mark);
    for (size_t i = 0; i < n; ++i) {
      Term key = payload_term(a, 1 + i * stride);
      if (!is_collection(key)) continue;
      pairs_.push_back({key, payload_term(b, 1 + only * stride)});
      if (stride == 2)
        pairs_.push_back({payload_term(a, 2 + i * 2), payload_term(b, 2 + only * 2)});
    }
    frames_.push_back({FrameKind::kPairs, false, false, {}, {}, mark, pairs_.size(), mark});
    return Step::kPushed;
  }

  [[gnu::noinline]] Step match_among_collection_keys(Term a, Term b, size_t n, size_t stride,
                                                     size_t mark) {
    bool with_value = stride == 2;
    auto key_of = [stride](Term m, size_t i) { return payload_term(m, 1 + i * stride); };
    auto value_of = [with_value](Term m, size_t i) {
      return with_value ? payload_term(m, 2 + i * 2) : Term::nil();
    };
    WorkStack<size_t, 16> others;  // b's entries whose keys are collections
    for (size_t j = 0; j < n; ++j) {
      if (is_collection(key_of(b, j))) others.push_back(j);
    }
    if (others.empty()) return unequal_keyed(mark);

    // Candidates of each collection key of a: a range of `candidates` (entries of b).
    bool by_hash = others.size() > kIndexThreshold;
    std::vector<std::pair<uint64_t, size_t>> hashed;  // by_hash: (hash, entry of b), sorted
    if (by_hash) {
      if (!memo_) memo_ = std::make_unique<HashMemo>();
      hashed.reserve(others.size());
      for (size_t o = 0; o < others.size(); ++o) {
        size_t j = others[o];
        hashed.push_back({hash_deep(key_of(b, j), memo_.get()), j});
      }
      std::sort(hashed.begin(), hashed.end());
    }
    struct Choice {
      Term key, value;
      size_t begin, end;  // in candidates
    };
    WorkStack<size_t, 16> candidates;
    WorkStack<Choice, 4> choices;
    for (size_t i = 0; i < n; ++i) {
      Term key = key_of(a, i);
      if (!is_collection(key)) continue;
      size_t begin = candidates.size();
      if (by_hash) {
        uint64_t h = hash_deep(key, memo_.get());
        auto lo = std::lower_bound(hashed.begin(), hashed.end(), std::make_pair(h, size_t{0}));
        for (; lo != hashed.end() && lo->first == h; ++lo) candidates.push_back(lo->second);
      } else {
        Kind k = kind_of(key);
        for (size_t o = 0; o < others.size(); ++o) {
          size_t j = others[o];
          Term other = key_of(b, j);
          if (kind_of(other) != k) continue;
          if (k != Kind::kList && collection_count(other) != collection_count(key)) continue;
          candidates.push_back(j);
        }
      }
      size_t count = candidates.size() - begin;
      if (count == 0) return unequal_keyed(mark);
      if (count == 1) {  // no choice to make: the key must equal this one
        size_t j = candidates[begin];
        candidates.truncate(begin);
        pairs_.push_back({key, key_of(b, j)});
        if (with_value) pairs_.push_back({value_of(a, i), value_of(b, j)});
        continue;
      }
      choices.push_back({key, value_of(a, i), begin, candidates.size()});
    }
    // The pairs so far, then each choice above them (tried first), with its candidates' keys and
    // values in pairs_ beyond the pairs frame's range.
    frames_.push_back({FrameKind::kPairs, false, false, {}, {}, mark, pairs_.size(), mark});
    for (size_t i = 0; i < choices.size(); ++i) {
      const Choice& c = choices[i];
      size_t begin = pairs_.size();
      for (size_t k = c.begin; k < c.end; ++k) {
        pairs_.push_back({key_of(b, candidates[k]), value_of(b, candidates[k])});
      }
      frames_.push_back(
          {FrameKind::kChoice, false, with_value, c.key, c.value, begin, pairs_.size(), 0});
    }
    return Step::kPushed;
  }

  WorkStack<Frame, 16> frames_;
  WorkStack<Pair, 16> pairs_;
  std::unique_ptr<HashMemo> memo_;
};

[[gnu::noinline]] bool equal_deep(Term a, Term b) { return EqualMachine().run(a, b); }

bool equal_collections(Kind k, Term a, Term b, int depth);

// equal for a pair at the given depth. The checks that settle most pairs without looking inside
// (identity, kinds, immediates) are inlined into the loops over children; only collections and
// boxed leaves cost a call.
inline bool equal_at(Term a, Term b, int depth) {
  if (a == b && !is_float(a)) return true;  // identity, except that NaN is not equal to itself
  Kind k = kind_of(a);
  if (k != kind_of(b)) return false;
  if (!a.is_pointer() && !b.is_pointer()) return false;  // immediates: identity, checked above
  switch (k) {
    case Kind::kList:
    case Kind::kTuple:
    case Kind::kVector:
    case Kind::kMap:
    case Kind::kSet:
      return equal_collections(k, a, b, depth);
    default:
      return equal_leaves(k, a, b);
  }
}

// Lists: element by element, then the tails (the empty list, or improper tails).
bool equal_lists(Term a, Term b, int depth) {
  while (a.is_cons() && b.is_cons()) {
    if (!equal_at(list_head(a), list_head(b), depth + 1)) return false;
    a = list_tail(a);
    b = list_tail(b);
  }
  if (a.is_cons() || b.is_cons()) return false;  // different lengths
  return a == b || (!a.is_empty_list() && !b.is_empty_list() && equal_at(a, b, depth + 1));
}

bool equal_arrays(Term a, Term b, int depth) {
  size_t n = array_count(a);
  if (n != array_count(b)) return false;
  for (size_t i = 0; i < n; ++i) {
    if (!equal_at(array_at(a, i), array_at(b, i), depth + 1)) return false;
  }
  return true;
}

// Maps (with_value) and sets: every key of a must be in b, with an equal value. A key that is a
// collection is not looked up through map_get, whose equal would start again at depth 0 (maps
// nested as keys of maps would recurse without bound): in a small map it is found here by the
// same linear search, one level deeper; a large map goes to the iterative walk, which matches
// such keys by hash.
bool equal_keyed(Term a, Term b, bool with_value, int depth) {
  size_t n = with_value ? map_count(a) : set_count(a);
  if (n != (with_value ? map_count(b) : set_count(b))) return false;
  size_t stride = with_value ? 2 : 1;
  for (size_t i = 0; i < n; ++i) {
    Term key = payload_term(a, 1 + i * stride);
    if (is_collection(key)) {
      if (has_hash_index(b)) return equal_deep(a, b);
      size_t j = 0;
      while (j < n && !equal_at(payload_term(b, 1 + j * stride), key, depth + 1)) ++j;
      if (j == n) return false;
      if (with_value &&
          !equal_at(payload_term(a, 2 + i * 2), payload_term(b, 2 + j * 2), depth + 1))
        return false;
      continue;
    }
    if (!with_value) {
      if (!set_contains(b, key)) return false;
      continue;
    }
    std::optional<Term> other = map_get(b, key);
    if (!other || !equal_at(payload_term(a, 2 + i * 2), *other, depth + 1)) return false;
  }
  return true;
}

bool equal_collections(Kind k, Term a, Term b, int depth) {
  if (depth >= kMaxRecursion) return equal_deep(a, b);
  switch (k) {
    case Kind::kList:
      return equal_lists(a, b, depth);
    case Kind::kTuple:
    case Kind::kVector:
      return equal_arrays(a, b, depth);
    default:
      return equal_keyed(a, b, k == Kind::kMap, depth);
  }
}

}  // namespace

bool equal(Term a, Term b) { return equal_at(a, b, 0); }

uint64_t hash(Term t) { return hash_at(t, 0); }

}  // namespace lona
