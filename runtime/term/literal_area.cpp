#include "runtime/term/literal_area.hpp"

namespace lona {

LiteralArea& LiteralArea::global() {
  static LiteralArea* area = new LiteralArea();  // lives as long as the realm's code
  return *area;
}

Word* LiteralArea::alloc(size_t words) {
  absl::MutexLock lock(&mutex_);
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

size_t LiteralArea::words_used() const {
  absl::MutexLock lock(&mutex_);
  return used_;
}

}  // namespace lona
