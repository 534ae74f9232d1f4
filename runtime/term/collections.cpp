#include "runtime/term/collections.hpp"

#include <bit>
#include <cstring>
#include <vector>

#include "runtime/term/equality.hpp"

namespace lona {
namespace {

// --- the hash index of large maps and sets ---------------------------------------------------
// Raw payload: [slot count, slots...] with two uint32 slots per word; a slot holds entry + 1, or 0.

size_t slot_count_for(size_t entries) { return std::bit_ceil(entries * 2); }

uint32_t read_slot(const Word* index, size_t i) {
  uint32_t v;
  std::memcpy(&v, reinterpret_cast<const char*>(index + 2) + 4 * i, 4);
  return v;
}

// Finds `key` among `n` keys given by key_at, through the slot array when present.
template <typename KeyAt>
std::optional<size_t> find_key(const Word* index, size_t n, Term key, KeyAt key_at) {
  if (index == nullptr) {
    for (size_t i = 0; i < n; ++i) {
      if (equal(key_at(i), key)) return i;
    }
    return std::nullopt;
  }
  size_t mask = index[1] - 1;
  for (size_t s = hash(key) & mask;; s = (s + 1) & mask) {
    uint32_t v = read_slot(index, s);
    if (v == 0) return std::nullopt;
    if (equal(key_at(v - 1), key)) return v - 1;
  }
}

// Builds the slot array for n distinct keys (no allocation on the term heap).
std::vector<uint32_t> build_slots(size_t n, const std::vector<uint64_t>& hashes) {
  std::vector<uint32_t> slots(slot_count_for(n), 0);
  size_t mask = slots.size() - 1;
  for (size_t i = 0; i < n; ++i) {
    size_t s = hashes[i] & mask;
    while (slots[s] != 0) s = (s + 1) & mask;
    slots[s] = static_cast<uint32_t>(i + 1);
  }
  return slots;
}

Term make_index(Heap& heap, const std::vector<uint32_t>& slots) {
  size_t words = 1 + words_for_bytes(slots.size() * 4);
  Word* p = heap.alloc(1 + words);
  p[0] = header::make(ObjTag::kHashIndex, 0, words);
  p[1] = slots.size();
  std::memcpy(p + 2, slots.data(), slots.size() * 4);
  return Term::boxed_ptr(p);
}

const Word* index_of(Term map_or_set) {
  Term idx = payload_term(map_or_set, 0);
  return idx.is_nil() ? nullptr : object_of(idx);
}

Term array_from_stack(Heap& heap, ObjTag tag, size_t n) {
  Word* p = heap.alloc(1 + n);
  p[0] = header::make(tag, 0, n);
  std::vector<Term>& st = heap.stack();
  size_t base = st.size() - n;
  for (size_t i = 0; i < n; ++i) p[1 + i] = st[base + i].raw();
  st.resize(base);
  return Term::boxed_ptr(p);
}

// Shared by maps (stride 2) and sets (stride 1): dedupes the keys on the stack and builds the
// object, then its index when it is large.
Term keyed_from_stack(Heap& heap, ObjTag tag, size_t n, size_t stride) {
  std::vector<Term>& st = heap.stack();
  size_t base = st.size() - n * stride;
  auto key = [&](size_t i) { return st[base + i * stride]; };

  // kept[j] = source entry of the j-th distinct key; value_src[j] = source of its value.
  std::vector<size_t> kept, value_src;
  std::vector<uint64_t> hashes;
  std::vector<uint32_t> slots(n > kIndexThreshold ? slot_count_for(n) : 0, 0);
  for (size_t i = 0; i < n; ++i) {
    Term k = key(i);
    std::optional<size_t> found;
    uint64_t h = 0;
    if (slots.empty()) {
      for (size_t j = 0; j < kept.size() && !found; ++j) {
        if (equal(key(kept[j]), k)) found = j;
      }
    } else {
      h = hash(k);
      size_t mask = slots.size() - 1;
      size_t s = h & mask;
      for (; slots[s] != 0; s = (s + 1) & mask) {
        if (equal(key(kept[slots[s] - 1]), k)) {
          found = slots[s] - 1;
          break;
        }
      }
      if (!found) slots[s] = static_cast<uint32_t>(kept.size() + 1);
    }
    if (found) {
      value_src[*found] = i;
    } else {
      kept.push_back(i);
      value_src.push_back(i);
      hashes.push_back(h);
    }
  }

  size_t m = kept.size();
  // The index is made before the object that points to it: an object never gets a pointer to
  // one younger than itself once made, which the generational collector relies on (heap.hpp).
  Term idx = m > kIndexThreshold ? make_index(heap, build_slots(m, hashes)) : Term::nil();
  Rooted index(heap, idx);
  size_t payload = 1 + m * stride;
  Word* p = heap.alloc(1 + payload);  // may move the stack's contents; indices stay valid
  p[0] = header::make(tag, 0, payload);
  p[1] = index.get().raw();
  for (size_t j = 0; j < m; ++j) {
    p[2 + j * stride] = key(kept[j]).raw();
    if (stride == 2) p[3 + j * stride] = st[base + value_src[j] * 2 + 1].raw();
  }
  st.resize(base);
  return Term::boxed_ptr(p);
}

}  // namespace

Term make_cons(Heap& heap, Term head, Term tail) {
  heap.push(head);
  heap.push(tail);
  Word* cell = heap.alloc(2);
  cell[1] = heap.pop().raw();
  cell[0] = heap.pop().raw();
  return Term::cons_ptr(cell);
}

Term list_from_stack(Heap& heap, size_t n) {
  Word* cells = heap.alloc(2 * n);
  std::vector<Term>& st = heap.stack();
  size_t base = st.size() - n;
  Term list = Term::empty_list();
  for (size_t i = n; i-- > 0;) {
    Word* cell = cells + 2 * i;
    cell[0] = st[base + i].raw();
    cell[1] = list.raw();
    list = Term::cons_ptr(cell);
  }
  st.resize(base);
  return list;
}

Term tuple_from_stack(Heap& heap, size_t n) { return array_from_stack(heap, ObjTag::kTuple, n); }
Term vector_from_stack(Heap& heap, size_t n) { return array_from_stack(heap, ObjTag::kVector, n); }
Term map_from_stack(Heap& heap, size_t n) { return keyed_from_stack(heap, ObjTag::kMap, n, 2); }
Term set_from_stack(Heap& heap, size_t n) { return keyed_from_stack(heap, ObjTag::kSet, n, 1); }

std::optional<Term> map_get(Term m, Term key) {
  auto found = find_key(index_of(m), map_count(m), key, [m](size_t i) { return map_key(m, i); });
  if (!found) return std::nullopt;
  return map_value(m, *found);
}

bool set_contains(Term s, Term element) {
  return find_key(index_of(s), set_count(s), element, [s](size_t i) { return set_at(s, i); })
      .has_value();
}

bool can_carry_meta(Term t) {
  if (t.is_symbol()) return true;
  if (!t.is_boxed()) return false;
  switch (object_tag(t)) {
    case ObjTag::kTuple:
    case ObjTag::kVector:
    case ObjTag::kMap:
    case ObjTag::kSet:
    case ObjTag::kMetaSymbol:
      return true;
    default:
      return false;
  }
}

Term meta_of(Term t) {
  if (!t.is_boxed()) return Term::nil();
  if (object_tag(t) == ObjTag::kMetaSymbol) return payload_term(t, 1);
  if (!can_carry_meta(t) || (object_aux(t) & kAuxHasMeta) == 0) return Term::nil();
  return payload_term(t, object_size(t) - 1);
}

Term with_meta(Heap& heap, Term t, Term meta) {
  if (is_any_symbol(t)) {
    Term sym = bare_symbol(t);
    if (meta.is_nil()) return sym;
    heap.push(meta);
    Word* p = heap.alloc(3);
    p[0] = header::make(ObjTag::kMetaSymbol, 0, 2);
    p[1] = sym.raw();
    p[2] = heap.pop().raw();
    return Term::boxed_ptr(p);
  }
  heap.push(t);
  heap.push(meta);
  size_t old_size = object_size(t);
  bool had = (object_aux(t) & kAuxHasMeta) != 0;
  size_t base_size = old_size - (had ? 1 : 0);
  size_t new_size = base_size + (meta.is_nil() ? 0 : 1);
  Word* p = heap.alloc(1 + new_size);
  meta = heap.pop();
  t = heap.pop();
  const Word* src = object_of(t);
  uint8_t aux = header::aux(src[0]) & static_cast<uint8_t>(~kAuxHasMeta);
  if (!meta.is_nil()) aux |= kAuxHasMeta;
  p[0] = header::make(header::tag(src[0]), aux, new_size);
  std::memcpy(p + 1, src + 1, base_size * sizeof(Word));
  if (!meta.is_nil()) p[new_size] = meta.raw();
  return Term::boxed_ptr(p);
}

}  // namespace lona
