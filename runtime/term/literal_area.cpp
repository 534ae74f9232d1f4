#include "runtime/term/literal_area.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/container/flat_hash_map.h"

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

namespace {

// Calls f on each child of x that is a pointer.
template <typename F>
void for_each_pointer_child(Term x, F&& f) {
  if (x.is_cons()) {
    for (Word w : {x.cons_cell()[0], x.cons_cell()[1]}) {
      if (Term::from_raw(w).is_pointer()) f(Term::from_raw(w));
    }
    return;
  }
  const Word* obj = x.boxed_object();
  if (header::has_raw_payload(obj[0])) return;
  for (size_t i = 1, n = header::size(obj[0]); i <= n; ++i) {
    if (Term::from_raw(obj[i]).is_pointer()) f(Term::from_raw(obj[i]));
  }
}

size_t own_words(Term x) { return x.is_cons() ? 2 : 1 + header::size(x.boxed_object()[0]); }

void note_holds(Term x, CopyHolds* holds) {
  if (!x.is_boxed()) return;
  const Word* obj = x.boxed_object();
  if (header::tag(obj[0]) == ObjTag::kBytebuf) holds->bytebuf = true;
  if (is_refc_binary_object(obj)) holds->refc_binary = true;
}

// deep_copy_words for big terms: each distinct node's tree size is computed once (post-order,
// memoized by address, saturating at limit + 1), so the time goes with the nodes of the term,
// not with the paths through it: a DAG of 60 nodes standing for a tree of 2^60 takes 60 steps.
size_t shared_tree_words(Term root, size_t limit, CopyHolds* holds) {
  absl::flat_hash_map<Word, size_t> words_of;
  struct Pending {
    Term t;
    bool expanded;
  };
  std::vector<Pending> work = {{root, false}};
  while (!work.empty()) {
    auto [x, expanded] = work.back();
    if (words_of.contains(x.raw())) {
      work.pop_back();
      continue;
    }
    if (!expanded) {
      work.back().expanded = true;
      for_each_pointer_child(x, [&](Term c) {
        if (!words_of.contains(c.raw())) work.push_back({c, false});
      });
      continue;
    }
    work.pop_back();
    // Saturating at limit + 1 (no overflow, whatever the limit below SIZE_MAX).
    const size_t cap = limit + 1;
    if (holds != nullptr) note_holds(x, holds);
    size_t words = std::min(own_words(x), cap);
    for_each_pointer_child(x, [&](Term c) {
      size_t w = words_of[c.raw()];
      words = w >= cap - words ? cap : words + w;
    });
    words_of[x.raw()] = words;
  }
  return words_of[root.raw()];
}

}  // namespace

Term copy_block(Term root, const Word* from, size_t words, Word* to) {
  if (!root.is_pointer()) return root;
  // Unsigned arithmetic: the distance wraps when `to` lies below `from`, and adding it back
  // wraps the other way. It is a multiple of 8, so the tag bits stay as they are.
  const Word delta = reinterpret_cast<Word>(to) - reinterpret_cast<Word>(from);
  // One pass that reads the source and writes the copy, never reading the copy back: `to` is
  // usually cold (the receiver's heap), and a load from words a memcpy has just stored there
  // waits for those stores to reach the cache (a third of a ring hop when it was done so).
  for (size_t i = 0; i < words; ++i) {
    Word w = from[i];
    if (header::is_header(w)) {
      to[i] = w;
      if (header::has_raw_payload(w)) {
        if (is_refc_binary_object(from + i)) retain_refc(from + i);
        size_t raw = header::size(w);
        std::memcpy(to + i + 1, from + i + 1, raw * sizeof(Word));
        i += raw;
      }
    } else {
      to[i] = Term::from_raw(w).is_pointer() ? w + delta : w;
    }
  }
  return Term::from_raw(root.raw() + delta);
}

size_t walked_copy_words(Term t, size_t limit, CopyHolds* holds) {
  // Counts the words of the tree deep_copy would make, node by node with an explicit stack. Every
  // node counted adds at least one word and its children are pushed only once its own words are
  // within the limit, so this stops after O(limit) steps however large the tree is. Past
  // kPlainWalk words the term is big, and possibly a DAG of n nodes standing for a tree of 2^n:
  // the count starts again with shared_tree_words, whose time goes with the distinct nodes.
  constexpr size_t kPlainWalk = size_t{1} << 16;
  if (!t.is_pointer()) return 0;
  size_t words = 0;
  absl::InlinedVector<Term, 32> work = {t};
  while (!work.empty()) {
    Term x = work.back();
    work.pop_back();
    if (holds != nullptr) note_holds(x, holds);
    size_t own = own_words(x);
    if (limit - words < own) return limit + 1;
    words += own;
    if (words > kPlainWalk) return shared_tree_words(t, limit, holds);
    for_each_pointer_child(x, [&](Term c) { work.push_back(c); });
  }
  return words;
}

size_t LiteralArea::words_used() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return used_;
}

}  // namespace lona
