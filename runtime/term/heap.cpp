#include "runtime/term/heap.hpp"

#include <algorithm>
#include <cstring>

#include "runtime/term/object.hpp"
#include "runtime/term/refc_binary.hpp"

namespace lona {
namespace {

// A moved cons cell keeps this word in its head and the new address in its tail. It is an
// immediate no value ever uses, so it cannot be confused with a live head.
constexpr Word kMovedCons = 0xFB;

}  // namespace

Heap::Heap(size_t initial_words) {
  if (initial_words == 0) return;  // empty: the first allocation makes the block
  capacity_ = next_size(initial_words);
  initial_capacity_ = capacity_;
  block_ = std::make_unique_for_overwrite<Word[]>(capacity_);
  top_ = block_.get();
  end_ = top_ + capacity_;
}

struct Heap::RefcList {
  std::vector<Word*> objects;
  size_t bytes = 0;
  size_t limit = kMinRefcBytes;
};

Heap::~Heap() {
  if (refc_) {  // before the fragments go: some of the objects may be in them
    for (Word* obj : refc_->objects) release_refc(obj);
  }
  free_fragments();
}

void Heap::track_refc(Word* obj) {
  if (!refc_) refc_ = std::make_unique<RefcList>();
  refc_->objects.push_back(obj);
  refc_->bytes += obj[1];
  if (refc_->bytes > refc_->limit) end_ = top_;  // the next allocation collects
}

void Heap::track_refc_in(Word* block, size_t words) {
  for_each_refc_binary(block, words, [this](Word* obj) { track_refc(obj); });
}

size_t Heap::refc_bytes() const { return refc_ ? refc_->bytes : 0; }

void Heap::sweep_refc() {
  size_t kept = 0;
  size_t bytes = 0;
  for (Word* obj : refc_->objects) {
    if (header::is_header(obj[0])) {  // not copied: nothing reaches it any more
      release_refc(obj);
      continue;
    }
    Word* moved = Term::from_raw(obj[0]).boxed_object();
    refc_->objects[kept++] = moved;
    bytes += moved[1];
  }
  refc_->objects.resize(kept);
  refc_->bytes = bytes;
  refc_->limit = std::max(kMinRefcBytes, 2 * bytes);
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

void Heap::adopt_fragment(Word* lo, size_t words, void* mem, void (*release)(void*)) {
  fragments_.push_back({lo, lo + words, mem, release});
  fragment_words_ += words;
  // Past a heap's worth of fragments, the next allocation collects.
  if (fragment_words_ > capacity_) end_ = top_;
}

void Heap::free_fragments() {
  for (const Fragment& f : fragments_) f.release(f.mem);
  fragments_.clear();
  fragment_words_ = 0;
}

bool Heap::in_fragment(const Word* p) const {
  if (!copy_fragments_ || p < fragments_lo_ || p >= fragments_hi_) return false;
  auto it = std::upper_bound(fragments_.begin(), fragments_.end(), p,
                             [](const Word* q, const Fragment& f) { return q < f.lo; });
  return it != fragments_.begin() && p < std::prev(it)->hi;
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

Term Heap::copy(Term t, Word** to_top, const Word* from_lo, const Word* from_hi) {
  if (t.is_cons()) {
    Word* cell = t.cons_cell();
    if ((cell < from_lo || cell >= from_hi) && !in_fragment(cell)) return t;
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
    if ((obj < from_lo || obj >= from_hi) && !in_fragment(obj)) return t;
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

void Heap::collect(size_t need) {
  // Two passes at most: copy into a block that surely fits (the current size plus the request),
  // then, when what is live wants a block much smaller or larger than that, once more into one
  // sized from it: twice the live data (and the request), never less than the heap was created
  // with, so a small heap with little live data does not collect every few allocations.
  size_t target = std::max(capacity_, used_words() + fragment_words_) + need;
  if (!fragments_.empty()) {
    std::sort(fragments_.begin(), fragments_.end(),
              [](const Fragment& a, const Fragment& b) { return a.lo < b.lo; });
    fragments_lo_ = fragments_.front().lo;
    fragments_hi_ =
        std::max_element(fragments_.begin(), fragments_.end(),
                         [](const Fragment& a, const Fragment& b) { return a.hi < b.hi; })
            ->hi;
    copy_fragments_ = true;
  }
  for (int pass = 0; pass < 2; ++pass) {
    auto to_block = std::make_unique_for_overwrite<Word[]>(target);
    Word* to = to_block.get();
    const Word* lo = block_.get();
    const Word* hi = top_;

    for (Term& r : stack_) r = copy(r, &to, lo, hi);
    for (Rooted* r = rooted_; r != nullptr; r = r->outer_) r->term_ = copy(r->term_, &to, lo, hi);
    struct Copier final : RootVisitor {
      Copier(Heap& h, Word** t, const Word* l, const Word* u) : heap(h), to(t), lo(l), hi(u) {}
      void visit(Term* terms, size_t count) override {
        for (size_t i = 0; i < count; ++i) terms[i] = heap.copy(terms[i], to, lo, hi);
      }
      Heap& heap;
      Word** to;
      const Word* lo;
      const Word* hi;
    } copier(*this, &to, lo, hi);
    for (RootSource* s = root_sources_; s != nullptr; s = s->next_root_source_) {
      s->visit_roots(copier);
    }

    // Cheney scan: everything between scan and to is copied but not yet scanned.
    Word* scan = to_block.get();
    while (scan < to) {
      Word w = scan[0];
      if (header::is_header(w)) {
        size_t size = header::size(w);
        if (!header::has_raw_payload(w)) {
          for (size_t i = 1; i <= size; ++i) {
            scan[i] = copy(Term::from_raw(scan[i]), &to, lo, hi).raw();
          }
        }
        scan += 1 + size;
      } else {  // a cons cell: two terms
        scan[0] = copy(Term::from_raw(scan[0]), &to, lo, hi).raw();
        scan[1] = copy(Term::from_raw(scan[1]), &to, lo, hi).raw();
        scan += 2;
      }
    }

    if (refc_) sweep_refc();  // while the old block and the fragments are still there
    if (copy_fragments_) {    // what was live in them is in the new block now
      copy_fragments_ = false;
      free_fragments();
    }
    size_t live = static_cast<size_t>(to - to_block.get());
    block_ = std::move(to_block);
    top_ = to;
    capacity_ = target;
    end_ = block_.get() + capacity_;

    size_t wanted = std::max({next_size(2 * (live + need)), initial_capacity_, kWorkingWords});
    if (wanted <= target + target / 4 && wanted >= target / 2) {  // near enough: keep the block
      // but use no more of it than wanted, so that the size does not creep up by each request.
      capacity_ = std::clamp(wanted, live + need, target);
      end_ = block_.get() + capacity_;
      break;
    }
    target = wanted;
  }
  ++collections_;
  if (limit_words_ != 0 && capacity_ > limit_words_ && limit_signal_ != nullptr) *limit_signal_ = 0;
  if (stress_) end_ = std::min(end_, top_ + need + stress_slack_);
}

}  // namespace lona
