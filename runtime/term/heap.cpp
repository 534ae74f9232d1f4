#include "runtime/term/heap.hpp"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/term/object.hpp"
#include "runtime/term/refc_binary.hpp"

namespace lona {
namespace {

// A moved cons cell keeps this word in its head and the new address in its tail. It is an
// immediate no value ever uses, so it cannot be confused with a live head.
constexpr Word kMovedCons = 0xFB;

// LONA_HEAP_STRESS=N starts every heap in stress mode with a slack of N words: a debugging aid
// that makes a term held unrooted across an allocation, or an old object pointing to a young
// one, show up at once in any program or test (docs/runtime.md).
long stress_slack_from_environment() {
  static const long slack = [] {
    const char* text = std::getenv("LONA_HEAP_STRESS");
    return text == nullptr ? -1L : std::max(0L, std::atol(text));
  }();
  return slack;
}

}  // namespace

Heap::Heap(size_t initial_words) {
  if (initial_words != 0) {  // else empty: the first allocation makes the block
    capacity_ = next_size(initial_words);
    initial_capacity_ = capacity_;
    block_ = memory::WordBlock(capacity_);
    top_ = block_.get();
    aged_top_ = top_;
    end_ = top_ + capacity_;
  }
  if (long slack = stress_slack_from_environment(); slack >= 0) {
    set_stress(true, static_cast<size_t>(slack));
  }
}

struct Heap::RefcList {
  std::vector<Word*> young;  // objects in the young block or an adopted fragment
  std::vector<Word*> old;    // objects in the old heap
  size_t bytes = 0;          // of both lists
  size_t old_bytes = 0;
  size_t limit = kMinRefcBytes;  // past this many bytes the next allocation collects
  // Past this many old bytes a collection is major: the old heap is collected only then, and its
  // few words may hold many megabytes.
  size_t major_limit = kMinRefcBytes;
};

Heap::~Heap() {
  if (refc_) {  // before the fragments go: some of the objects may be in them
    for (Word* obj : refc_->young) release_refc(obj);
    for (Word* obj : refc_->old) release_refc(obj);
  }
  free_fragments();
}

Heap::OldGeneration& Heap::old_generation() {
  if (!old_) old_ = std::make_unique<OldGeneration>();
  return *old_;
}

void Heap::set_limit(size_t max_words, uint64_t* signal) {
  if (max_words == 0 && !old_) return;
  OldGeneration& g = old_generation();
  g.limit_words = max_words;
  g.limit_signal = signal;
}

void Heap::track_refc(Word* obj) {
  if (!refc_) refc_ = std::make_unique<RefcList>();
  refc_->young.push_back(obj);
  refc_->bytes += obj[1];
  if (refc_->bytes > refc_->limit) end_ = top_;  // the next allocation collects
}

void Heap::track_refc_in(Word* block, size_t words) {
  for_each_refc_binary(block, words, [this](Word* obj) { track_refc(obj); });
}

size_t Heap::refc_bytes() const { return refc_ ? refc_->bytes : 0; }

void Heap::sweep_refc(Kind kind) {
  RefcList& r = *refc_;
  std::vector<Word*> young;
  young.reserve(r.young.size());
  size_t young_bytes = 0;
  auto follow = [&](std::vector<Word*>& list) {
    for (Word* obj : list) {
      if (header::is_header(obj[0])) {  // not copied: nothing reaches it any more
        release_refc(obj);
        continue;
      }
      Word* moved = Term::from_raw(obj[0]).boxed_object();
      if (in_old(moved)) {
        r.old.push_back(moved);
        r.old_bytes += moved[1];
      } else {
        young.push_back(moved);
        young_bytes += moved[1];
      }
    }
  };
  if (kind == Kind::kMajor) {  // the old heap is from-space too; everything lands young
    std::vector<Word*> old = std::move(r.old);
    r.old.clear();
    r.old_bytes = 0;
    follow(old);
  }
  follow(r.young);
  r.young = std::move(young);
  r.bytes = r.old_bytes + young_bytes;
  r.limit = std::max(kMinRefcBytes, 2 * r.bytes);
  if (kind == Kind::kMajor) r.major_limit = std::max(kMinRefcBytes, 2 * r.bytes);
}

void Heap::add_root_source(RootSource* source) {
  source->next_root_source_ = root_sources_;
  root_sources_ = source;
}

void Heap::remove_root_source(RootSource* source) {
  for (RootSource** link = &root_sources_; *link != nullptr; link = &(*link)->next_root_source_) {
    if (*link == source) {
      *link = source->next_root_source_;
      source->next_root_source_ = nullptr;
      return;
    }
  }
}

void Heap::attach_registers(RegisterArea* area) {
  if (registers_ != nullptr) {
    std::fprintf(stderr, "lona: heap: a second interpreter on a heap that has one\n");
    std::abort();
  }
  *area = RegisterArea{};
  registers_ = area;
}

void Heap::detach_registers() {
  // The slots stay where they are, dead: end_ keeps objects short of them until the next
  // collection.
  registers_ = nullptr;
}

void Heap::reserve_registers(size_t words, size_t max_words) {
  RegisterArea& area = *registers_;
  if (words <= area.words) return;
  // Half as much again, so that a deepening recursion moves its stack a bounded number of times.
  const size_t grown =
      std::max(words, std::min(max_words, std::max(area.words + area.words / 2, kRegisterSlack)));
  if (stress_ || block_ == nullptr || object_words() + grown > capacity_) {
    // A collection that keeps the whole stack where it is in use and leaves room for the growth.
    keep_registers_ = true;
    collect(grown - area.words);
    keep_registers_ = false;
  }
  place_registers(area.base, area.words, block_.get(), capacity_, grown);
  end_ = std::min(end_, objects_limit());
  if (stress_) end_ = std::min(end_, top_ + stress_slack_);  // the room was for the stack
}

void Heap::place_registers(Term* from, size_t kept, Word* block, size_t capacity, size_t words) {
  RegisterArea& area = *registers_;
  Term* to = reinterpret_cast<Term*>(block + capacity - words);
  if (kept > 0 && to != from) std::memmove(to, from, kept * sizeof(Term));
  std::fill(to + kept, to + words, Term::nil());
  area.base = to;
  area.words = words;
}

void Heap::adopt_fragment(Word* lo, size_t words, void* mem, void (*release)(void*)) {
  if (!fragments_) fragments_ = std::make_unique<Fragments>();
  fragments_->list.push_back({lo, lo + words, mem, release});
  fragments_->words += words;
  // Past a heap's worth of fragments, the next allocation collects.
  if (fragments_->words > capacity_) end_ = top_;
}

void Heap::free_fragments() {
  if (!fragments_) return;
  for (const Fragment& f : fragments_->list) f.release(f.mem);
  fragments_->list.clear();
  fragments_->words = 0;
}

bool Heap::in_fragment(const Word* p) const {
  if (!copy_fragments_ || p < fragments_->lo || p >= fragments_->hi) return false;
  const std::vector<Fragment>& list = fragments_->list;
  auto it = std::upper_bound(list.begin(), list.end(), p,
                             [](const Word* q, const Fragment& f) { return q < f.lo; });
  return it != list.begin() && p < std::prev(it)->hi;
}

size_t Heap::next_size(size_t words) {
  // Fibonacci growth while the heap is small (as BEAM does), then 20% steps.
  size_t a = kSmallestWords, b = 34;
  while (a < words) {
    if (a >= (size_t{1} << 22)) {
      a += a / 5;
    } else {
      size_t c = a + b;
      a = b;
      b = c;
    }
  }
  return a;
}

// One copying pass. From-space is the young block and the adopted fragments, and in a major
// collection the old heap too. In a minor collection what lies below the high-water mark moves to
// the old heap's free end; everything else moves to the new young block.
struct Heap::Evacuation final : RootVisitor {
  Evacuation(Heap& h, Kind k, Word* young_to, Word* old_to)
      : heap(h), kind(k), to_young(young_to), to_old(old_to) {}

  void visit(Term* terms, size_t count) override {
    for (size_t i = 0; i < count; ++i) terms[i] = copy(terms[i]);
  }

  // Where the object at p is copied to, or nullptr when p is not in from-space.
  Word** destination(const Word* p) {
    if (p >= young_lo && p < young_hi) {
      return kind == Kind::kMinor && p < aged_hi ? &to_old : &to_young;
    }
    if (p >= old_lo && p < old_hi) return &to_young;
    if (heap.in_fragment(p)) return &to_young;
    return nullptr;
  }

  Term copy(Term t) {
    if (t.is_cons()) {
      Word* cell = t.cons_cell();
      Word** to_top = destination(cell);
      if (to_top == nullptr) return t;
      if (cell[0] == kMovedCons) return Term::cons_ptr(reinterpret_cast<Word*>(cell[1]));
      Word* to = *to_top;
      to[0] = cell[0];
      to[1] = cell[1];
      *to_top += 2;
      cell[0] = kMovedCons;
      cell[1] = reinterpret_cast<Word>(to);
      return Term::cons_ptr(to);
    }
    if (t.is_boxed()) {
      Word* obj = t.boxed_object();
      Word** to_top = destination(obj);
      if (to_top == nullptr) return t;
      if (!header::is_header(obj[0])) return Term::from_raw(obj[0]);  // already moved: forward
      size_t words = 1 + header::size(obj[0]);
      Word* to = *to_top;
      std::memcpy(to, obj, words * sizeof(Word));
      *to_top += words;
      Term moved = Term::boxed_ptr(to);
      obj[0] = moved.raw();
      return moved;
    }
    return t;
  }

  // Copies what the object or cons cell at `at` points to; returns the word after it.
  Word* scan(Word* at) {
    Word w = at[0];
    if (!header::is_header(w)) {  // a cons cell: two terms
      at[0] = copy(Term::from_raw(at[0])).raw();
      at[1] = copy(Term::from_raw(at[1])).raw();
      return at + 2;
    }
    size_t size = header::size(w);
    if (!header::has_raw_payload(w)) {
      for (size_t i = 1; i <= size; ++i) at[i] = copy(Term::from_raw(at[i])).raw();
    }
    return at + 1 + size;
  }

  Heap& heap;
  Kind kind;
  const Word* young_lo = nullptr;
  const Word* young_hi = nullptr;
  const Word* aged_hi = nullptr;
  const Word* old_lo = nullptr;  // set in a major collection only
  const Word* old_hi = nullptr;
  Word* to_young;
  Word* to_old;  // null unless a minor collection moves something to the old heap
};

void Heap::copy_pass(Kind kind, size_t target) {
  memory::WordBlock to_block(target);
  OldGeneration& g = old_generation();
  const bool promotes = kind == Kind::kMinor && aged_top_ > block_.get();
  Evacuation e(*this, kind, to_block.get(), promotes ? g.top : nullptr);
  e.young_lo = block_.get();
  e.young_hi = top_;
  e.aged_hi = aged_top_;
  if (kind == Kind::kMajor && g.block) {
    e.old_lo = g.block.get();
    e.old_hi = g.top;
  }
  const size_t from_words = object_words() + (copy_fragments_ ? fragment_words() : 0) +
                            (kind == Kind::kMajor ? g.used() : 0);
  Word* const old_start = e.to_old;

  for (Term& r : stack_) r = e.copy(r);
  for (Rooted* r = rooted_; r != nullptr; r = r->outer_) r->term_ = e.copy(r->term_);
  for (RootSource* s = root_sources_; s != nullptr; s = s->next_root_source_) s->visit_roots(e);

  // Cheney scan of both to-spaces: what lies between a scan pointer and its space's top is copied
  // but not yet scanned.
  Word* young_scan = to_block.get();
  Word* old_scan = old_start;
  while (young_scan < e.to_young || old_scan < e.to_old) {
    while (young_scan < e.to_young) young_scan = e.scan(young_scan);
    while (old_scan < e.to_old) old_scan = e.scan(old_scan);
  }

  if (promotes) g.top = e.to_old;
  if (kind == Kind::kMinor) ++g.minors_since_major;
  const size_t copied =
      static_cast<size_t>(e.to_young - to_block.get()) + static_cast<size_t>(e.to_old - old_start);
  g.reclaimed += from_words - copied;

  if (refc_) sweep_refc(kind);  // while from-space is still there
  if (copy_fragments_) {        // what was live in them is in the new block now
    copy_fragments_ = false;
    free_fragments();
  }
  if (kind == Kind::kMajor || (g.block && g.used() == 0)) {
    // A major collection empties the old heap, and a minor one may have moved nothing to an old
    // heap made for it (what had survived once died since): an old heap with nothing in it goes.
    g.block.reset();
    g.top = nullptr;
  }
  if (kind == Kind::kMajor) {
    ++g.majors;
    g.minors_since_major = 0;
  }
  if (registers_) {  // its owner has updated the live slots in place (visit_roots)
    RegisterArea& area = *registers_;
    assert(area.live <= area.words);
    // Given back down to half as much again as is live, unless a growth is what collects.
    const size_t kept =
        keep_registers_
            ? area.words
            : std::min(area.words, std::max(area.live + area.live / 2, area.live + kRegisterSlack));
    place_registers(area.base, area.live, to_block.get(), target, kept);
  }
  block_ = std::move(to_block);
  top_ = e.to_young;
  aged_top_ = top_;  // everything here has survived a collection now
  capacity_ = target;
  end_ = objects_limit();
}

void Heap::collect(size_t need) {
  const size_t aged = static_cast<size_t>(aged_top_ - block_.get());
  bool major = (refc_ && refc_->old_bytes > refc_->major_limit) ||
               (old_ && old_->minors_since_major >= kMajorAfterMinors);
  if (!major && aged > 0) {
    OldGeneration& g = old_generation();
    if (!g.block) {  // room for twice what moves now, so that the next minor ones fit too
      g.block = memory::WordBlock(next_size(2 * aged));
      g.top = g.block.get();
    } else if (aged > g.block.size() - g.used()) {
      major = true;
    }
  }
  collect_as(major ? Kind::kMajor : Kind::kMinor, need);
}

void Heap::collect_major(size_t need) { collect_as(Kind::kMajor, need); }

void Heap::collect_as(Kind kind, size_t need) {
  if (stress_) verify_old_points_to_old();
  // Copy into a young block that surely fits (the current size, or what may land there, plus the
  // request); then, when what is live wants a block much smaller or larger than that, once more
  // into one sized from it: twice the live data (and the request), never less than the heap was
  // created with, so a small heap with little live data does not collect every few allocations.
  if (fragment_count() > 0) {
    std::vector<Fragment>& list = fragments_->list;
    std::sort(list.begin(), list.end(),
              [](const Fragment& a, const Fragment& b) { return a.lo < b.lo; });
    fragments_->lo = list.front().lo;
    fragments_->hi =
        std::max_element(list.begin(), list.end(), [](const Fragment& a, const Fragment& b) {
          return a.hi < b.hi;
        })->hi;
    copy_fragments_ = true;
  }
  const size_t may_land = kind == Kind::kMajor ? object_words() + old_used_words()
                                               : static_cast<size_t>(top_ - aged_top_);
  // After a collection a heap has room for kWorkingWords of objects beside its stack, so a
  // smaller one (a process's first collection) copies straight into a block of that size: one
  // pass instead of two.
  const size_t target =
      std::max(std::max(capacity_, may_land + fragment_words() + register_words()) + need,
               kWorkingWords + register_words());
  copy_pass(kind, target);
  const size_t live = young_used_words();
  const size_t wanted =
      std::max({next_size(2 * (live + need)), initial_capacity_, kWorkingWords + register_words()});
  if (wanted <= target + target / 4 && wanted >= target / 2) {  // near enough: keep the block
    // but use no more of it than wanted, so that the size does not creep up by each request.
    capacity_ = std::clamp(wanted, live + need, target);
    if (registers_) {  // to the end of the capacity kept
      place_registers(registers_->base, registers_->words, block_.get(), capacity_,
                      registers_->words);
    }
    end_ = objects_limit();
  } else {
    copy_pass(Kind::kResize, wanted);
  }
  ++collections_;
  if (stress_) verify_old_points_to_old();
  const OldGeneration& g = *old_;
  if (g.limit_words != 0 && capacity_words() > g.limit_words && g.limit_signal != nullptr) {
    *g.limit_signal = 0;
  }
  if (stress_) end_ = std::min(end_, top_ + need + stress_slack_);
}

void Heap::verify_old_points_to_old() const {
  if (!old_ || !old_->block) return;
  auto check = [&](Word w) {
    Term t = Term::from_raw(w);
    const Word* p = t.is_cons() ? t.cons_cell() : t.is_boxed() ? t.boxed_object() : nullptr;
    if (p == nullptr) return;
    bool young = p >= block_.get() && p < block_.get() + capacity_;
    if (fragments_) {
      for (const Fragment& f : fragments_->list) young = young || (p >= f.lo && p < f.hi);
    }
    if (young) {
      std::fprintf(stderr, "lona: heap: an old object points into the young generation\n");
      std::abort();
    }
  };
  for (const Word* at = old_->block.get(); at < old_->top;) {
    Word w = at[0];
    if (!header::is_header(w)) {
      check(at[0]);
      check(at[1]);
      at += 2;
      continue;
    }
    size_t size = header::size(w);
    if (!header::has_raw_payload(w)) {
      for (size_t i = 1; i <= size; ++i) check(at[i]);
    }
    at += 1 + size;
  }
}

}  // namespace lona
