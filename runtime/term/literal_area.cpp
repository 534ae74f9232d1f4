#include "runtime/term/literal_area.hpp"

#include <vector>

namespace lona {

LiteralArea& LiteralArea::global() {
  static LiteralArea* area = new LiteralArea();  // lives as long as the realm's code
  return *area;
}

Word* LiteralArea::alloc(size_t words) {
  std::lock_guard<std::mutex> lock(mutex_);
  used_ += words;
  if (static_cast<size_t>(end_ - top_) < words) {
    size_t n = words > kChunkWords / 4 ? words : kChunkWords;
    chunks_.push_back(std::make_unique_for_overwrite<Word[]>(n));
    if (n != kChunkWords) return chunks_.back().get();  // a large object gets a chunk of its own
    top_ = chunks_.back().get();
    end_ = top_ + n;
  }
  Word* p = top_;
  top_ += words;
  return p;
}

Term LiteralArea::copy(Term t) {
  return deep_copy(t, [this](size_t words) { return alloc(words); });
}

size_t deep_copy_words(Term t, size_t limit) {
  // Counts the words of the tree deep_copy would make, node by node with an explicit stack. Every
  // node counted adds at least one word and its children are pushed only once its own words are
  // within the limit, so this stops after O(limit) steps however large the tree is (a DAG of n
  // nodes can stand for a tree of 2^n).
  if (!t.is_pointer()) return 0;
  size_t words = 0;
  std::vector<Term> work = {t};
  while (!work.empty()) {
    Term x = work.back();
    work.pop_back();
    if (x.is_cons()) {
      if (limit - words < 2) return limit + 1;
      words += 2;
      for (Word w : {x.cons_cell()[0], x.cons_cell()[1]}) {
        if (Term::from_raw(w).is_pointer()) work.push_back(Term::from_raw(w));
      }
      continue;
    }
    const Word* obj = x.boxed_object();
    size_t size = header::size(obj[0]);
    if (limit - words < 1 || limit - words - 1 < size) return limit + 1;
    words += 1 + size;
    if (header::has_raw_payload(obj[0])) continue;
    for (size_t i = 1; i <= size; ++i) {
      if (Term::from_raw(obj[i]).is_pointer()) work.push_back(Term::from_raw(obj[i]));
    }
  }
  return words;
}

size_t LiteralArea::words_used() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return used_;
}

}  // namespace lona
