// runtime/term: the heap that terms live on; one per process (and one per REPL or reader user).
//
// Allocation bumps a pointer in one block. When the block is full the heap copies everything
// reachable from its roots into a new block, Cheney style, and frees the old one; the new block is
// sized from the live data (twice it, from a Fibonacci table, then 20% steps), never below the
// size the heap was created with. Objects therefore move at any allocation: C++ code that holds a
// term across an allocation must hold it in a root (the heap's term stack or a Rooted handle).
//
// This is the mechanism the per-process heap of DESIGN.md section 4 grows from: the actor runtime
// adds the stack at the top of the block, the old generation and the process roots.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/term/term.hpp"

namespace lona {

class Heap {
 public:
  static constexpr size_t kDefaultInitialWords = 233;  // first entry of the size table
  // For the heap of a whole program (the REPL, `lona run`): 256 KiB, so that a program with
  // little live data is not collecting every few hundred allocations.
  static constexpr size_t kProgramInitialWords = size_t{1} << 15;

  explicit Heap(size_t initial_words = kDefaultInitialWords);
  ~Heap();
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  // Returns `words` uninitialised words. May collect first; see the header comment.
  Word* alloc(size_t words) {
    if (static_cast<size_t>(end_ - top_) < words) collect(words);
    Word* p = top_;
    top_ += words;
    return p;
  }

  // Copies the live data into a fresh block with room for at least `need` more words.
  void collect(size_t need = 0);

  // The term stack: a root set that code building terms pushes intermediate values onto.
  std::vector<Term>& stack() { return stack_; }
  // Root ranges owned elsewhere (an interpreter's registers): (*base)[0 .. *count) are roots,
  // read at each collection, so their owner may grow, move or shrink them meanwhile.
  //
  // With `stale_end`, the owner also keeps (*base)[*count .. *stale_end) holding terms that are
  // no longer roots but still valid (registers of returned frames, which a new frame may cover
  // without clearing them first). A collection sets that tail to nil, so nothing dangles and
  // nothing dead is kept, and sets *stale_end = *count.
  void add_root_range(Term* const* base, const size_t* count, size_t* stale_end = nullptr) {
    root_ranges_.push_back({base, count, stale_end});
  }
  void remove_root_range(Term* const* base) {
    std::erase_if(root_ranges_, [base](const RootRange& r) { return r.base == base; });
  }
  void push(Term t) { stack_.push_back(t); }
  Term pop() {
    Term t = stack_.back();
    stack_.pop_back();
    return t;
  }

  size_t used_words() const { return static_cast<size_t>(top_ - block_.get()); }
  size_t capacity_words() const { return capacity_; }
  uint64_t collections() const { return collections_; }
  // True when p points into this heap's current block (terms outside it are never moved).
  bool contains(const Word* p) const { return p >= block_.get() && p < top_; }

  // Stress mode: a collection as soon as `slack` more words have been allocated (0: at every
  // allocation), so a term held unrooted across an allocation is caught (tests and fuzzers).
  // Costs nothing when off: it only moves end_.
  void set_stress(bool on, size_t slack = 0) {
    stress_ = on;
    stress_slack_ = slack;
    end_ = on ? std::min(end_, top_ + slack) : block_.get() + capacity_;
  }

  // A soft limit: when a collection leaves the heap larger than `max_words`, it sets *signal to
  // 0. The owner passes its preemption word (vm/interp), so the running code stops at its next
  // call or backward jump and the owner can end the process (:max-heap-size). 0: no limit.
  void set_limit(size_t max_words, uint64_t* signal) {
    limit_words_ = max_words;
    limit_signal_ = signal;
  }

  // The size table: the smallest heap size of at least `words`.
  static size_t next_size(size_t words);

  // Makes words [lo, lo + words) of the block `mem`, terms allocated elsewhere (a message copied
  // into its envelope by the sender), part of this heap without copying them: the next collection
  // copies out what is live and frees the block with release(mem). Fragments count towards the
  // heap's fill, so a process that receives a lot without allocating still collects.
  void adopt_fragment(Word* lo, size_t words, void* mem, void (*release)(void*));
  size_t fragment_count() const { return fragments_.size(); }

 private:
  friend class Rooted;
  Term copy(Term t, Word** to_top, const Word* from_lo, const Word* from_hi);
  bool in_fragment(const Word* p) const;
  void free_fragments();

  std::unique_ptr<Word[]> block_;
  Word* top_ = nullptr;
  Word* end_ = nullptr;
  size_t capacity_ = 0;
  size_t initial_capacity_ = 0;  // collections never shrink the heap below this
  uint64_t collections_ = 0;
  size_t limit_words_ = 0;
  uint64_t* limit_signal_ = nullptr;
  bool stress_ = false;
  size_t stress_slack_ = 0;
  std::vector<Term> stack_;
  std::vector<Term*> rooted_;  // live Rooted handles, innermost last
  struct RootRange {
    Term* const* base;
    const size_t* count;
    size_t* stale_end;
  };
  std::vector<RootRange> root_ranges_;
  struct Fragment {
    Word* lo;
    Word* hi;
    void* mem;
    void (*release)(void*);
  };
  std::vector<Fragment> fragments_;  // sorted by lo during a collection
  size_t fragment_words_ = 0;
  bool copy_fragments_ = false;         // a collection's first pass: fragments are from-space too
  const Word* fragments_lo_ = nullptr;  // the span of all fragments, for a quick rejection
  const Word* fragments_hi_ = nullptr;
};

// Keeps one term alive and up to date across collections. Strictly scoped (LIFO).
class Rooted {
 public:
  Rooted(Heap& heap, Term t) : heap_(heap), term_(t) { heap_.rooted_.push_back(&term_); }
  ~Rooted() { heap_.rooted_.pop_back(); }
  Rooted(const Rooted&) = delete;
  Rooted& operator=(const Rooted&) = delete;

  Term get() const { return term_; }
  void set(Term t) { term_ = t; }

 private:
  Heap& heap_;
  Term term_;
};

}  // namespace lona
