// vm/intrinsics: notifications (reference 4.2 "Notifications", 4.3, 8.2): seL4's one-word
// semaphores, simulated inside the realm. A notification is a capability of type :notification
// (make-notification, lona.process); its id keys a word of badge bits and the processes waiting
// for it. signal! sets badge 1 (an unbadged signal: decision 21) and wakes the waiters; poll!
// takes the word, nil when it is 0; wait! (lona/core.lona) waits in `receive`, so a waiting
// process blocks no worker: notification-await* takes the word, or registers the process,
// which signal! then sends [:lona/notified n].
//
// A word lives here only while it is set or waited for: a notification nobody signalled costs
// nothing but its capability.
#include <mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "runtime/process/envelope.hpp"
#include "runtime/sched/runtime.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/interp/interpreter.hpp"
#include "vm/intrinsics/intrinsic_support.hpp"
#include "vm/intrinsics/kernel_types.hpp"

namespace lona {
namespace {

struct Word {
  uint64_t badges = 0;
  std::vector<uint64_t> waiters;  // local pids, each waiting for one [:lona/notified n]
};

struct Words {
  std::mutex mutex;
  absl::flat_hash_map<uint64_t, Word> by_id;  // notification id -> its word, while in use
};
Words& words() {
  static auto* all = new Words();  // workers use it until the process ends
  return *all;
}

bool notification_arg(NativeContext& ctx, Term t, const char* fn) {
  if (is_capability(t) && capability_type(t) == CapType::kNotification) return true;
  return type_error(ctx, fn, "a notification", t);
}

// Takes the word of notification `id`: its badges, 0 when none is set.
uint64_t take_locked(Words& all, uint64_t id) {
  auto found = all.by_id.find(id);
  if (found == all.by_id.end()) return 0;
  uint64_t badges = found->second.badges;
  found->second.badges = 0;
  if (found->second.waiters.empty()) all.by_id.erase(found);
  return badges;
}

bool make_notification(NativeContext& ctx, Args, Term* o) {
  *o = make_capability(ctx.heap, CapType::kNotification, kCapAllRights);
  return true;
}

bool notification_p(NativeContext&, Args a, Term* o) {
  *o = Term::boolean(is_capability(a[0]) && capability_type(a[0]) == CapType::kNotification);
  return true;
}

bool signal(NativeContext& ctx, Args a, Term* o) {
  if (!notification_arg(ctx, a[0], "signal!")) return false;
  std::vector<uint64_t> waiters;
  {
    Words& all = words();
    std::lock_guard<std::mutex> lock(all.mutex);
    Word& word = all.by_id[capability_id(a[0])];
    word.badges |= 1;
    waiters.swap(word.waiters);
  }
  if (!waiters.empty()) {
    static const Term kNotified = make_keyword("lona/notified");
    ctx.heap.push(kNotified);
    ctx.heap.push(a[0]);
    Term wake = tuple_from_stack(ctx.heap, 2);
    Runtime& runtime = Runtime::get();
    for (uint64_t waiter : waiters) {
      runtime.send(waiter, Envelope::make(EnvelopeKind::kMessage, 0, wake));
    }
  }
  *o = make_keyword("ok");
  return true;
}

bool poll(NativeContext& ctx, Args a, Term* o) {
  if (!notification_arg(ctx, a[0], "poll!")) return false;
  Words& all = words();
  std::lock_guard<std::mutex> lock(all.mutex);
  uint64_t badges = take_locked(all, capability_id(a[0]));
  *o = badges == 0 ? Term::nil() : Term::fixnum(static_cast<int64_t>(badges));
  return true;
}

// (notification-await* n): the badges of n, taken; or nil, and the calling process is told
// [:lona/notified n] at the next signal!.
bool await(NativeContext& ctx, Args a, Term* o) {
  if (!notification_arg(ctx, a[0], "wait!")) return false;
  Words& all = words();
  std::lock_guard<std::mutex> lock(all.mutex);
  uint64_t id = capability_id(a[0]);
  uint64_t badges = take_locked(all, id);
  if (badges != 0) {
    *o = Term::fixnum(static_cast<int64_t>(badges));
    return true;
  }
  all.by_id[id].waiters.push_back(ctx.interp->process()->id());
  *o = Term::nil();
  return true;
}

const Intrinsic kKernelIntrinsics[] = {
    {"notification?", notification_p, 1, 1},
    {"signal!", signal, 1, 1},
    {"poll!", poll, 1, 1},
    {"notification-await*", await, 1, 1},
};
const Intrinsic kProcessIntrinsics[] = {
    {"make-notification", make_notification, 0, 0},
};

}  // namespace

std::span<const Intrinsic> notification_intrinsic_table() { return kKernelIntrinsics; }
std::span<const Intrinsic> notification_process_intrinsic_table() { return kProcessIntrinsics; }

}  // namespace lona
