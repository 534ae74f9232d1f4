// runtime/term: the realm's literal area, where terms that outlive any one process heap live:
// constants of compiled code and the values of vars. Objects here never move and are not
// collected (like BEAM's literal area); process collections leave pointers to them alone, since
// they are outside every process heap.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
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
  mutable absl::Mutex mutex_;
  std::vector<std::unique_ptr<Word[]>> chunks_;
  Word* top_ = nullptr;
  Word* end_ = nullptr;
  size_t used_ = 0;
};

// Copies `t` deeply with `alloc(words)` providing non-moving storage.
template <typename Alloc>
Term deep_copy(Term t, Alloc&& alloc);

}  // namespace lona

#include "runtime/term/object.hpp"

namespace lona {

template <typename Alloc>
Term deep_copy(Term t, Alloc&& alloc) {
  if (t.is_cons()) {
    // Along the spine iteratively, so long lists need no deep recursion.
    Term head = Term::empty_list();
    Word* last = nullptr;
    for (; t.is_cons(); t = Term::from_raw(t.cons_cell()[1])) {
      Word* cell = alloc(2);
      cell[0] = deep_copy(Term::from_raw(t.cons_cell()[0]), alloc).raw();
      cell[1] = Term::empty_list().raw();
      if (last == nullptr) {
        head = Term::cons_ptr(cell);
      } else {
        last[1] = Term::cons_ptr(cell).raw();
      }
      last = cell;
    }
    last[1] = deep_copy(t, alloc).raw();  // the empty list, or an improper tail
    return head;
  }
  if (!t.is_boxed()) return t;
  const Word* src = t.boxed_object();
  size_t size = header::size(src[0]);
  Word* dst = alloc(1 + size);
  dst[0] = src[0];
  if (header::has_raw_payload(src[0])) {
    for (size_t i = 1; i <= size; ++i) dst[i] = src[i];
  } else {
    for (size_t i = 1; i <= size; ++i) dst[i] = deep_copy(Term::from_raw(src[i]), alloc).raw();
  }
  return Term::boxed_ptr(dst);
}

}  // namespace lona
