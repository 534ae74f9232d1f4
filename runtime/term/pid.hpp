// runtime/term: the terms that name processes and make identities: pids, refs and realm ids.
//
// All three are raw boxed objects (no heap pointers), equal by value, so a copy in a message or in
// another heap is the same pid or ref as the original:
//
//   pid       [local id, realm id]   a local id comes back only after 2^34 reuses of its
//                                    process-table slot (runtime/process/process_table.hpp)
//   ref       [id]                   unique within the realm (make-ref, monitor)
//   realm id  [id]
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/term/heap.hpp"
#include "runtime/term/object.hpp"

namespace lona {

inline Term make_pid(Heap& heap, uint64_t realm, uint64_t local) {
  Word* p = heap.alloc(3);
  p[0] = header::make(ObjTag::kPid, 0, 2);
  p[1] = local;
  p[2] = realm;
  return Term::boxed_ptr(p);
}
inline bool is_pid(Term t) { return is_object(t, ObjTag::kPid); }
inline uint64_t pid_local(Term t) { return object_of(t)[1]; }
inline uint64_t pid_realm(Term t) { return object_of(t)[2]; }

// A fresh reference id (never 0, never reused in the realm).
inline uint64_t next_ref_id() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}
// A raw object of one word (a ref, a realm id).
inline Term make_id_object(Heap& heap, ObjTag tag, uint64_t id) {
  Word* p = heap.alloc(2);
  p[0] = header::make(tag, 0, 1);
  p[1] = id;
  return Term::boxed_ptr(p);
}

inline Term make_ref(Heap& heap, uint64_t id) { return make_id_object(heap, ObjTag::kRef, id); }
inline bool is_ref(Term t) { return is_object(t, ObjTag::kRef); }
inline uint64_t ref_id(Term t) { return object_of(t)[1]; }

inline Term make_realm_id(Heap& heap, uint64_t id) {
  return make_id_object(heap, ObjTag::kRealmId, id);
}
inline bool is_realm_id(Term t) { return is_object(t, ObjTag::kRealmId); }
inline uint64_t realm_id_value(Term t) { return object_of(t)[1]; }

}  // namespace lona
