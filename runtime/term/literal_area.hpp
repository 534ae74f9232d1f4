// runtime/term: the realm's literal area, where terms that outlive any one process heap live:
// constants of compiled code and the values of vars. Objects here never move and are not
// collected (like BEAM's literal area); process collections leave pointers to them alone, since
// they are outside every process heap.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "runtime/term/term.hpp"

namespace lona {

class LiteralArea {
 public:
  // The area of this realm.
  static LiteralArea& global();

  // Returns `words` uninitialised words that stay put for the life of the area.
  Word* alloc(size_t words);
  // A copy of `t` (and everything it references) in this area. `t` must not move during the
  // call (the caller does not allocate on its heap meanwhile).
  Term copy(Term t);
  size_t words_used() const;

 private:
  static constexpr size_t kChunkWords = size_t{1} << 16;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Word[]>> chunks_;
  Word* top_ = nullptr;
  Word* end_ = nullptr;
  size_t used_ = 0;
};

// Copies `t` deeply with `alloc(words)` providing non-moving storage. Shared subterms are copied
// once per path to them (the copy is a tree), so check the size of a term that may be a DAG with
// deep_copy_words first.
template <typename Alloc>
Term deep_copy(Term t, Alloc&& alloc);

// Copies `t` deeply into `block`, which has room for deep_copy_words(t) words (one allocation
// for the whole copy: a message, a spawned function, what a process receives).
Term deep_copy_into(Term t, Word* block);

// The size of a deep copy of `t`, found once for the sizing and the copy that follows it: the
// words (limit + 1 when more) and whether `t` is flat (flat_words, below), which the copy then
// takes without looking again.
struct CopySize {
  size_t words = 0;
  bool flat = false;
};
// What a term holds that its copy needs to know of (deep_copy_size finds it out).
struct CopyHolds {
  bool bytebuf = false;      // a bytebuf, which a message must not: mutable, its process's own
  bool refc_binary = false;  // an off-heap binary, which whoever keeps the copy must track
};
// With `holds`, also says what t holds. A term that holds a bytebuf or an off-heap binary is never
// flat, so that the walk sees it.
CopySize deep_copy_size(Term t, size_t limit, CopyHolds* holds = nullptr);
// Copies `t`, of the size deep_copy_size gave (within its limit), into `block`.
Term deep_copy_sized(Term t, CopySize size, Word* block);

// Every copy of an off-heap binary that these functions make takes a reference to its blob
// (refc_binary.hpp): the copy's keeper lets go of it (a heap through track_refc, an envelope when
// it is destroyed; the literal area never).
//
// Copies a block that deep_copy_into filled (`words` words, every pointer in it pointing into it)
// to `to`, and returns the copy of its root `root`: one pass that copies each word and moves the
// pointers, the way a collector's scan walks a heap (headers say which payloads are raw). What a
// process receives is copied out of its message's block this way.
Term copy_block(Term root, const Word* from, size_t words, Word* to);

// The words a deep copy of t would take, or limit + 1 if more: stops early on huge or shared (DAG)
// terms. `holds` as for deep_copy_size.
size_t deep_copy_words(Term t, size_t limit, CopyHolds* holds = nullptr);
// deep_copy_words without the look for a flat term: the general walk.
size_t walked_copy_words(Term t, size_t limit, CopyHolds* holds);

}  // namespace lona

#include "runtime/term/object.hpp"
#include "runtime/term/refc_binary.hpp"

namespace lona {

template <typename Alloc>
Term deep_copy(Term t, Alloc&& alloc) {
  if (!t.is_pointer()) return t;
  // Iterative, with the work on an explicit stack, so that a term nested a million deep (through
  // heads, tails, elements or metadata) needs no C++ stack. Each entry is a word of a copy already
  // made that is still to be filled in with the copy of `source`.
  struct Pending {
    Word* slot;
    Term source;
  };
  Word root = 0;  // always set by the first entry
  // Inline room for the usual message (a tuple of a few terms): no allocation per copy.
  absl::InlinedVector<Pending, 16> work = {{&root, t}};
  while (!work.empty()) {
    auto [slot, source] = work.back();
    work.pop_back();
    if (source.is_cons()) {
      // Along the spine in one go, so that a long list takes one entry per element that is itself
      // a pointer rather than one per cell.
      for (; source.is_cons(); source = Term::from_raw(source.cons_cell()[1])) {
        Word* cell = alloc(2);
        Term head = Term::from_raw(source.cons_cell()[0]);
        if (head.is_pointer()) {
          work.push_back({cell, head});
        } else {
          cell[0] = head.raw();
        }
        *slot = Term::cons_ptr(cell).raw();
        slot = cell + 1;
      }
      if (source.is_pointer()) {  // an improper tail
        work.push_back({slot, source});
      } else {
        *slot = source.raw();  // the empty list, or an immediate tail
      }
      continue;
    }
    const Word* src = source.boxed_object();
    size_t size = header::size(src[0]);
    Word* dst = alloc(1 + size);
    dst[0] = src[0];
    if (header::has_raw_payload(src[0])) {
      for (size_t i = 1; i <= size; ++i) dst[i] = src[i];
      if (is_refc_binary_object(src)) retain_refc(src);
    } else {
      for (size_t i = 1; i <= size; ++i) {
        Term x = Term::from_raw(src[i]);
        if (x.is_pointer()) {
          work.push_back({dst + i, x});
        } else {
          dst[i] = src[i];
        }
      }
    }
    *slot = Term::boxed_ptr(dst).raw();
  }
  return Term::from_raw(root);
}

// The words of the object at `obj` when it holds no pointer: raw payload (a pid, a string, a
// float; never a bytebuf or an off-heap binary, which the general walk must see) or at most
// kFlatFields immediates. 0 for anything else.
inline constexpr size_t kFlatFields = 16;
inline size_t leaf_words(const Word* obj) {
  Word h = obj[0];
  size_t size = header::size(h);
  if (header::has_raw_payload(h)) {
    return header::tag(h) == ObjTag::kBytebuf || is_refc_binary_object(obj) ? 0 : 1 + size;
  }
  if (size > kFlatFields) return 0;
  for (size_t i = 1; i <= size; ++i) {
    if (Term::from_raw(obj[i]).is_pointer()) return 0;
  }
  return 1 + size;
}

// The words of `t` when it is a leaf, or an object of at most kFlatFields fields each an
// immediate or a leaf: [:token 7], [#pid<1.2> 7], a string, a closure of a few values. That is
// what most messages and spawned functions are. 0 for anything else. deep_copy_words and
// deep_copy_into take it without their general walk.
inline size_t flat_words(Term t) {
  if (!t.is_boxed()) return 0;
  const Word* obj = t.boxed_object();
  if (size_t words = leaf_words(obj); words != 0) return words;
  size_t size = header::size(obj[0]);
  if (header::has_raw_payload(obj[0]) || size > kFlatFields) return 0;
  size_t words = 1 + size;
  for (size_t i = 1; i <= size; ++i) {
    Term f = Term::from_raw(obj[i]);
    if (!f.is_pointer()) continue;
    size_t leaf = f.is_boxed() ? leaf_words(f.boxed_object()) : 0;  // not a list
    if (leaf == 0) return 0;
    words += leaf;
  }
  return words;
}

// Copies `t`, for which flat_words(t) gave `words`, into `block`: the object, then its leaves
// in field order (one copy per field that points to one, as the general walk makes).
inline Term copy_flat(Term t, size_t words, Word* block) {
  const Word* obj = t.boxed_object();
  size_t own = 1 + header::size(obj[0]);
  for (size_t i = 0; i < own; ++i) block[i] = obj[i];
  if (own == words) return Term::boxed_ptr(block);
  Word* next = block + own;
  for (size_t i = 1; i < own; ++i) {
    Term f = Term::from_raw(obj[i]);
    if (!f.is_pointer()) continue;
    const Word* leaf = f.boxed_object();
    size_t n = 1 + header::size(leaf[0]);
    for (size_t j = 0; j < n; ++j) next[j] = leaf[j];
    block[i] = Term::boxed_ptr(next).raw();
    next += n;
  }
  return Term::boxed_ptr(block);
}

inline CopySize deep_copy_size(Term t, size_t limit, CopyHolds* holds) {
  if (!t.is_pointer()) return {};  // an immediate copies as itself
  if (size_t flat = flat_words(t); flat != 0) return {flat <= limit ? flat : limit + 1, true};
  return {walked_copy_words(t, limit, holds), false};
}

inline size_t deep_copy_words(Term t, size_t limit, CopyHolds* holds) {
  return deep_copy_size(t, limit, holds).words;
}

inline Term deep_copy_sized(Term t, CopySize size, Word* block) {
  if (!t.is_pointer()) return t;
  if (size.flat) return copy_flat(t, size.words, block);
  return deep_copy(t, [&block](size_t n) {
    Word* p = block;
    block += n;
    return p;
  });
}

inline Term deep_copy_into(Term t, Word* block) {
  size_t flat = flat_words(t);
  return deep_copy_sized(t, {flat, flat != 0}, block);
}

}  // namespace lona
