// runtime/term: the heap that terms live on; one per process (and one per REPL or reader user).
//
// Allocation bumps a pointer in the young block. When it is full the heap copies what is
// reachable from its roots, Cheney style, into a fresh block and frees the old one; the new block
// is sized from the live data (twice it, from a Fibonacci table, then 20% steps), never below the
// size the heap was created with. Objects therefore move at any allocation: C++ code that holds a
// term across an allocation must hold it in a root (the heap's term stack or a Rooted handle).
//
// The heap has two generations, as BEAM's has. A minor collection copies the young block only:
// what has already survived one collection (below the high-water mark) moves to the old heap,
// the rest stays young; the old heap is neither copied nor scanned. A major collection copies
// both into a fresh young block and frees the old heap; it runs when the old heap has no room for
// what a minor collection would move there, when the off-heap binaries of old objects hold more
// than twice what the heap held at its last major collection (and at least kMinRefcBytes), after
// kMajorAfterMinors minor ones (so that dead old data does not stay for ever), and on request.
//
// Not scanning the old heap is sound because terms are immutable: an object only ever points to
// objects older than itself. Code that builds an object must therefore make its parts first and
// never store a pointer into an object that an allocation has happened since (collections.cpp
// builds a map's index before the map for this reason). Bytebufs, the one mutable kind, hold
// bytes, not terms. In stress mode (set_stress) each collection checks that no old object points
// into the young generation.
//
// A heap can hold the register stack of the one interpreter that runs on it (attach_registers),
// as BEAM's process block holds its stack: the stack sits at the end of the young block and
// grows down towards the heap, which grows up towards it, so a process is one block and either
// side running out of room collects (DESIGN.md section 4). A collection moves the stack with the
// block, so the interpreter finds its registers again after every allocation.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/memory/word_block.hpp"
#include "runtime/term/term.hpp"

namespace lona {

// What a collection passes each root through: visit() updates terms[0 .. count) in place to
// where their objects moved.
class RootVisitor {
 public:
  virtual void visit(Term* terms, size_t count) = 0;

 protected:
  ~RootVisitor() = default;
};

// An object that holds roots of a heap outside it (Heap::add_root_source). visit_roots runs
// during a collection only, so a source may also tidy up there (an interpreter tells the heap
// how much of its register stack is live).
class RootSource {
 public:
  virtual void visit_roots(RootVisitor& visitor) = 0;

 protected:
  RootSource() = default;
  virtual ~RootSource() = default;
  RootSource(const RootSource&) = delete;
  RootSource& operator=(const RootSource&) = delete;

 private:
  friend class Heap;
  RootSource* next_root_source_ = nullptr;
};

class Rooted;

class Heap {
 public:
  // The register stack of the interpreter that runs on this heap (vm/interp). The interpreter
  // owns the struct and reads base and words; the heap keeps the slots at the end of its young
  // block and updates both whenever they move.
  struct RegisterArea {
    Term* base = nullptr;  // slots [0, words), every one a valid term
    size_t words = 0;
    // What the owner still uses: it sets this when it visits its roots, and the collection
    // keeps [0, live) and may give back the rest.
    size_t live = 0;
  };
  // Slots the register stack keeps beyond what is live when a collection shrinks it.
  static constexpr size_t kRegisterSlack = 8;

  // The size table is Fibonacci from kSmallestWords (21, 34, 55, 89, 144, 233, ...), then 20%
  // steps.
  static constexpr size_t kSmallestWords = 21;
  static constexpr size_t kDefaultInitialWords = 233;
  // The least a collection sizes a heap to. A heap that collects is in use, and a smaller one
  // would collect every few messages; a process that only waits keeps the small heap it started
  // with (BEAM's smallest heap is 233 words too).
  static constexpr size_t kWorkingWords = 233;
  // For the heap of a whole program (the REPL, `lona run`): 256 KiB, so that a program with
  // little live data is not collecting every few hundred allocations.
  static constexpr size_t kProgramInitialWords = size_t{1} << 15;

  // A heap of at least `initial_words` (a size of the table); 0 makes an empty heap, which
  // allocates its block at its first allocation.
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

  // A collection, minor or major as the heap sees fit (header comment), that leaves room for at
  // least `need` more words in the young block.
  void collect(size_t need = 0);
  // A major collection: afterwards the heap holds only what is reachable from its roots.
  void collect_major(size_t need = 0);

  // The term stack: a root set that code building terms pushes intermediate values onto.
  std::vector<Term>& stack() { return stack_; }
  // Roots held outside the heap (a process's queue, an interpreter's registers): each source is
  // asked for them at every collection. The list is intrusive, so registering costs the heap no
  // allocation (a process's heap would otherwise carry a vector of ranges).
  void add_root_source(RootSource* source);
  void remove_root_source(RootSource* source);
  void push(Term t) { stack_.push_back(t); }
  Term pop() {
    Term t = stack_.back();
    stack_.pop_back();
    return t;
  }

  // Makes `area` this heap's register stack (one interpreter per heap), empty until
  // reserve_registers; the area must outlive the attachment.
  void attach_registers(RegisterArea* area);
  void detach_registers();
  // Makes the register stack hold at least `words` slots (and, growing, half as much again up to
  // `max_words`), the new ones nil. May collect first (then every term moves, the registers
  // too).
  void reserve_registers(size_t words, size_t max_words = SIZE_MAX);

  // Words in use and words held, both generations together; then each generation. The register
  // stack counts as used young words.
  size_t used_words() const { return young_used_words() + old_used_words(); }
  size_t capacity_words() const { return capacity_ + old_capacity_words(); }
  size_t young_used_words() const { return object_words() + register_words(); }
  size_t young_capacity_words() const { return capacity_; }
  size_t old_used_words() const { return old_ ? old_->used() : 0; }
  size_t old_capacity_words() const { return old_ ? old_->block.size() : 0; }
  // Collections of both kinds, the major ones, and the words all of them have freed.
  uint64_t collections() const { return collections_; }
  uint64_t major_collections() const { return old_ ? old_->majors : 0; }
  uint64_t reclaimed_words() const { return old_ ? old_->reclaimed : 0; }
  // True when p points into this heap's young block or old heap (terms outside them are never
  // moved).
  bool contains(const Word* p) const { return (p >= block_.get() && p < top_) || in_old(p); }

  // Stress mode: a collection as soon as `slack` more words have been allocated (0: at every
  // allocation), so a term held unrooted across an allocation is caught (tests and fuzzers).
  // Costs nothing when off: it only moves end_.
  void set_stress(bool on, size_t slack = 0) {
    stress_ = on;
    stress_slack_ = static_cast<uint32_t>(std::min<size_t>(slack, UINT32_MAX));
    if (!block_) return;  // empty: the first allocation collects, and sets end_ from stress_
    end_ = on ? std::min(end_, top_ + slack) : objects_limit();
  }

  // A soft limit: when a collection leaves the heap larger than `max_words`, it sets *signal to
  // 0. The owner passes its preemption word (vm/interp), so the running code stops at its next
  // call or backward jump and the owner can end the process (:max-heap-size). 0: no limit.
  void set_limit(size_t max_words, uint64_t* signal);

  // The size table: the smallest heap size of at least `words`.
  static size_t next_size(size_t words);

  // Makes words [lo, lo + words) of the block `mem`, terms allocated elsewhere (a message copied
  // into its envelope by the sender), part of this heap without copying them: the next collection
  // copies out what is live and frees the block with release(mem). Fragments count towards the
  // heap's fill, so a process that receives a lot without allocating still collects.
  void adopt_fragment(Word* lo, size_t words, void* mem, void (*release)(void*));
  size_t fragment_count() const { return fragments_ ? fragments_->list.size() : 0; }

  // Puts the off-heap binary object `obj` (refc_binary.hpp), in this heap's block or an adopted
  // fragment, on the heap's list: the heap holds its reference and lets go of it when a
  // collection does not find it live, or when the heap dies. Off-heap bytes count towards the
  // heap's fill: once the heap holds more than twice what it held after its last collection
  // (and at least kMinRefcBytes), the next allocation collects, so a process that makes and
  // drops big binaries frees them though its heap never fills.
  void track_refc(Word* obj);
  // track_refc for each off-heap binary among the `words` words at `block`: a region that a copy
  // has just filled (the copy took the references), or an adopted fragment, whose envelope hands
  // its references over.
  void track_refc_in(Word* block, size_t words);
  // The bytes of the off-heap binaries on the heap's list.
  size_t refc_bytes() const;
  static constexpr size_t kMinRefcBytes = size_t{1} << 20;
  // As BEAM's default fullsweep_after.
  static constexpr uint32_t kMajorAfterMinors = 65535;

 private:
  friend class Rooted;
  struct Evacuation;
  struct OldGeneration {
    memory::WordBlock block;  // none until a minor collection has something to move there
    Word* top = nullptr;
    uint64_t majors = 0;
    uint64_t reclaimed = 0;  // words
    uint32_t minors_since_major = 0;
    size_t limit_words = 0;
    uint64_t* limit_signal = nullptr;

    size_t used() const { return static_cast<size_t>(top - block.get()); }
  };
  enum class Kind { kMinor, kMajor, kResize };
  // A collection of that kind: a pass, then a resize of the young block when it wants one.
  void collect_as(Kind kind, size_t need);
  // One copying pass (heap.cpp): a minor or major collection, or a resize of the young block.
  void copy_pass(Kind kind, size_t target);
  bool in_fragment(const Word* p) const;
  size_t object_words() const { return static_cast<size_t>(top_ - block_.get()); }
  size_t register_words() const { return registers_ ? registers_->words : 0; }
  // Where objects may reach before the register stack: the young capacity less the stack.
  Word* objects_limit() const { return block_.get() + capacity_ - register_words(); }
  // Makes the register stack the last `words` of `block`'s first `capacity` words: the first
  // `kept` slots come from `from` (which may overlap), the rest are nil.
  void place_registers(Term* from, size_t kept, Word* block, size_t capacity, size_t words);
  bool in_old(const Word* p) const { return old_ && p >= old_->block.get() && p < old_->top; }
  void free_fragments();
  // After a pass's copy: the list follows the binaries that moved and lets go of the rest.
  void sweep_refc(Kind kind);
  // Stress mode: aborts when an object in the old heap points into the young block or a fragment.
  void verify_old_points_to_old() const;
  OldGeneration& old_generation();

  memory::WordBlock block_;  // the young block
  Word* top_ = nullptr;
  Word* end_ = nullptr;
  Word* aged_top_ = nullptr;  // the high-water mark: [block_, aged_top_) survived a collection
  size_t capacity_ = 0;
  size_t initial_capacity_ = 0;  // collections never shrink the heap below this
  uint64_t collections_ = 0;
  // Fields are ordered so that the small ones share words: every process has a heap.
  bool stress_ = false;
  bool copy_fragments_ = false;  // a collection's first pass: fragments are from-space too
  bool keep_registers_ = false;  // a collection for a growing stack keeps all of it
  uint32_t stress_slack_ = 0;
  std::vector<Term> stack_;
  Rooted* rooted_ = nullptr;  // the innermost live Rooted handle (they form a LIFO chain)
  RootSource* root_sources_ = nullptr;
  RegisterArea* registers_ = nullptr;
  struct Fragment {
    Word* lo;
    Word* hi;
    void* mem;
    void (*release)(void*);
  };
  // Made at the first adopted fragment: most processes never receive a message big enough.
  struct Fragments {
    std::vector<Fragment> list;  // sorted by lo during a collection
    size_t words = 0;
    const Word* lo = nullptr;  // the span of all fragments, for a quick rejection
    const Word* hi = nullptr;
  };
  std::unique_ptr<Fragments> fragments_;
  size_t fragment_words() const { return fragments_ ? fragments_->words : 0; }
  // Made at the first off-heap binary: most heaps never hold one, and every process has a heap.
  struct RefcList;
  std::unique_ptr<RefcList> refc_;
  // Made at the first collection or set_limit: the old heap, statistics and the size limit (an
  // idle process never collects, and every process has a heap).
  std::unique_ptr<OldGeneration> old_;
};

// Keeps one term alive and up to date across collections. Strictly scoped (LIFO).
class Rooted {
 public:
  Rooted(Heap& heap, Term t) : heap_(heap), term_(t), outer_(heap.rooted_) { heap.rooted_ = this; }
  ~Rooted() { heap_.rooted_ = outer_; }
  Rooted(const Rooted&) = delete;
  Rooted& operator=(const Rooted&) = delete;

  Term get() const { return term_; }
  void set(Term t) { term_ = t; }

 private:
  friend class Heap;
  Heap& heap_;
  Term term_;
  Rooted* outer_;  // the handle made before this one
};

}  // namespace lona
