// vm/intrinsics: processes (reference 4.2 and 6): spawn, send, links, monitors, exits, the
// registry, process-info, refs, pids: lona.process's natives. `receive` is a special form
// (vm/compiler); send-sync and process-info are written with it (lona/process.lona).
#include <algorithm>
#include <optional>

#include "runtime/process/process.hpp"
#include "runtime/process/process_info.hpp"
#include "runtime/sched/runtime.hpp"
#include "runtime/support/str_cat.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/interp/interpreter.hpp"
#include "vm/intrinsics/intrinsic_support.hpp"
#include "vm/namespace/namespaces.hpp"
#include "vm/process/lonala_process.hpp"
#include "vm/realm/remote_route.hpp"

namespace lona {
namespace {

Process& self_of(NativeContext& ctx) { return *ctx.interp->process(); }
Runtime& runtime() { return Runtime::get(); }
Term pid_term(NativeContext& ctx, uint64_t local) {
  return make_pid(ctx.heap, runtime().realm_id(), local);
}

// A pid argument (its local id); anything else is :badarg ("bad argument", as the reference
// words it).
bool any_pid_arg(NativeContext& ctx, Term t, const char* fn, uint64_t* out) {
  if (!is_pid(t)) {
    return ctx.fail("badarg", str_cat(fn, ": bad argument: ", print_bounded(t), " is not a pid"));
  }
  *out = pid_local(t);
  return true;
}

// A pid argument of a process of this realm, for what acts on the process itself there
// (send-sync, reply, register, process-info): a pid of another realm is :not-supported, rather
// than the local process that happens to have the same local id.
bool pid_arg(NativeContext& ctx, Term t, const char* fn, uint64_t* out) {
  if (!any_pid_arg(ctx, t, fn, out)) return false;
  if (pid_realm(t) != Runtime::get().realm_id()) {
    return ctx.fail("not-supported",
                    str_cat(fn, ": ", print_bounded(t), " is a process of another realm, which ",
                            fn, " does not reach yet"));
  }
  return true;
}

// A pid argument for a signal (link, unlink, monitor, exit): a process of this realm, or the
// stand-in of one of another realm (runtime/sched/remote_pids.hpp), which the signal reaches
// through the LMM.
bool signal_target_arg(NativeContext& ctx, Term t, const char* fn, uint64_t* out) {
  if (!any_pid_arg(ctx, t, fn, out)) return false;
  if (pid_realm(t) != runtime().realm_id()) {
    *out = runtime().remote_pids().stand_in(pid_realm(t), pid_local(t));
  }
  return true;
}

// --- spawning ------------------------------------------------------------------------------------

struct SpawnOptions {
  uint8_t priority = Process::kDefaultPriority;
  // :min-heap-size: 34 words (272 bytes, objects and register stack together) by default, not
  // the reference's 4096 bytes nor BEAM's 233 words: an idle process should cost under 1 KB all
  // in (DESIGN.md section 4), and one that allocates gets 233 words at its first collection
  // (Heap::kWorkingWords, docs/runtime.md).
  size_t heap_words = Process::kDefaultHeapWords;
  std::optional<uint64_t> max_heap_bytes;
  Term name = Term::nil();
};

bool size_option(NativeContext& ctx, Term v, const char* key, uint64_t* out) {
  if (!v.is_fixnum() || v.fixnum_value() < 0) {
    return ctx.fail("badarg",
                    str_cat("spawn: ", key, " must be a non-negative integer of bytes, got ",
                            print_bounded(v)));
  }
  *out = static_cast<uint64_t>(v.fixnum_value());
  return true;
}

bool spawn_options(NativeContext& ctx, Term opts, SpawnOptions* o) {
  if (opts.is_nil()) return true;
  if (!is_map(opts)) return type_error(ctx, "spawn", "an options map", opts);
  for (size_t i = 0; i < map_count(opts); ++i) {
    Term k = map_key(opts, i), v = map_value(opts, i);
    std::string_view key = k.is_keyword() ? name_entry(k).full : std::string_view();
    if (key == "priority") {
      if (!v.is_fixnum() || v.fixnum_value() < 0 || v.fixnum_value() > 255) {
        return ctx.fail("badarg",
                        str_cat("spawn: :priority must be 0 to 255, got ", print_bounded(v)));
      }
      o->priority = static_cast<uint8_t>(v.fixnum_value());
    } else if (key == "min-heap-size") {
      uint64_t bytes = 0;
      if (!size_option(ctx, v, ":min-heap-size", &bytes)) return false;
      o->heap_words = std::max<size_t>(Heap::kSmallestWords,
                                       std::min<uint64_t>(bytes / sizeof(Word), 1u << 26));
    } else if (key == "max-heap-size") {
      if (v.is_nil()) continue;
      uint64_t bytes = 0;
      if (!size_option(ctx, v, ":max-heap-size", &bytes)) return false;
      o->max_heap_bytes = bytes;
    } else if (key == "name") {
      if (!v.is_symbol()) return type_error(ctx, "spawn", "a symbol for :name", v);
      o->name = v;
    } else {
      return ctx.fail("badarg", str_cat("spawn: unknown option ", print_bounded(k),
                                        " (:priority :min-heap-size :max-heap-size :name)"));
    }
  }
  return true;
}

enum class SpawnKind { kPlain, kLink, kMonitor };

template <SpawnKind kKind>
bool spawn(NativeContext& ctx, Args a, Term* o) {
  const char* fn = kKind == SpawnKind::kPlain  ? "spawn"
                   : kKind == SpawnKind::kLink ? "spawn-link"
                                               : "spawn-monitor";
  if (kind_of(a[0]) != Kind::kFunction) return type_error(ctx, fn, "a function", a[0]);
  SpawnOptions opts;
  if (!spawn_options(ctx, a.size() > 1 ? a[1] : Term::nil(), &opts)) return false;
  Process& self = self_of(ctx);
  Runtime& rt = runtime();
  uint64_t id = rt.try_next_pid();
  if (id == 0) {
    return ctx.fail("system-limit", str_cat(fn, ": the realm has as many processes as it can"));
  }
  auto* child = new LonalaProcess(rt, id, opts.heap_words, ctx.current_ns);
  if (!child->set_entry(a[0]) || !child->inherit_bindings(self)) {
    child->release();
    return ctx.fail("badarg", str_cat(fn,
                                      ": the function's captured values or the process-bound "
                                      "var values are too large to copy, or hold a bytebuf"));
  }
  child->set_priority(opts.priority);
  child->set_max_heap_bytes(opts.max_heap_bytes);
  uint64_t ref = 0;
  if (!rt.start(child,
                {.name = opts.name,
                 .linked_to = kKind == SpawnKind::kLink ? &self : nullptr,
                 .monitored_by = kKind == SpawnKind::kMonitor ? &self : nullptr},
                &ref)) {
    return ctx.fail("badarg", str_cat(fn, ": the name ", print(opts.name), " is taken"));
  }
  if (kKind != SpawnKind::kMonitor) {
    *o = pid_term(ctx, id);
    return true;
  }
  ctx.heap.push(pid_term(ctx, id));
  ctx.heap.push(make_ref(ctx.heap, ref));
  *o = tuple_from_stack(ctx.heap, 2);
  return true;
}

// --- identity ------------------------------------------------------------------------------------

bool self(NativeContext& ctx, Args, Term* o) {
  *o = pid_term(ctx, self_of(ctx).id());
  return true;
}

bool alive_p(NativeContext& ctx, Args a, Term* o) {
  bool alive = false;
  if (is_pid(a[0]) && pid_realm(a[0]) == runtime().realm_id()) {
    if (pid_local(a[0]) == self_of(ctx).id()) {
      alive = true;
    } else if (Process* p = runtime().find(pid_local(a[0]))) {
      alive = !p->exited();
      p->release();
    }
  }
  *o = Term::boolean(alive);
  return true;
}

bool pid_p(NativeContext&, Args a, Term* o) {
  *o = Term::boolean(is_pid(a[0]));
  return true;
}
bool ref_p(NativeContext&, Args a, Term* o) {
  *o = Term::boolean(is_ref(a[0]));
  return true;
}
bool realm_id_p(NativeContext&, Args a, Term* o) {
  *o = Term::boolean(is_realm_id(a[0]));
  return true;
}
bool make_ref_(NativeContext& ctx, Args, Term* o) {
  *o = make_ref(ctx.heap, next_ref_id());
  return true;
}
bool self_realm(NativeContext& ctx, Args, Term* o) {
  *o = make_realm_id(ctx.heap, runtime().realm_id());
  return true;
}
bool pid_realm_(NativeContext& ctx, Args a, Term* o) {
  uint64_t local;
  if (!any_pid_arg(ctx, a[0], "pid-realm", &local)) return false;
  *o = make_realm_id(ctx.heap, pid_realm(a[0]));
  return true;
}
bool pid_local_(NativeContext& ctx, Args a, Term* o) {
  uint64_t local;
  if (!any_pid_arg(ctx, a[0], "pid-local", &local)) return false;
  // Past 2^59 (a slot reused 2^32 times) a local id is a big integer.
  *o = make_integer(ctx.heap, static_cast<int64_t>(local));
  return true;
}
bool pid_eq(NativeContext& ctx, Args a, Term* o) {
  uint64_t x, y;
  if (!any_pid_arg(ctx, a[0], "pid=", &x) || !any_pid_arg(ctx, a[1], "pid=", &y)) return false;
  *o = Term::boolean(x == y && pid_realm(a[0]) == pid_realm(a[1]));
  return true;
}

// --- messages ------------------------------------------------------------------------------------

// Sends `msg` (what `fn` was given) to `to` as an envelope of `kind`; `ref` nonzero on a message:
// the receiver acknowledges it when a receive takes it (send-sync). A message holding a bytebuf,
// anywhere, is a :type-error: a bytebuf is mutable and its process's own, never sent.
bool deliver_message(NativeContext& ctx, uint64_t to, Term msg, const char* fn,
                     EnvelopeKind kind = EnvelopeKind::kMessage, uint64_t ref = 0) {
  bool holds_bytebuf = false;
  Envelope* e = Envelope::make(kind, self_of(ctx).id(), msg, &holds_bytebuf);
  if (holds_bytebuf) {
    return type_error(ctx, fn, "a message without bytebufs (a bytebuf is never sent)", msg);
  }
  if (e == nullptr) {
    return ctx.fail("badarg", str_cat(fn, ": the message is too large to copy"));
  }
  e->ref = ref;
  runtime().send(to, e);  // a dead pid: dropped, silently (reference 6)
  return true;
}

bool send(NativeContext& ctx, Args a, Term* o) {
  uint64_t to;
  if (!any_pid_arg(ctx, a[0], "send", &to)) return false;
  if (pid_realm(a[0]) != runtime().realm_id()) {
    std::string error;
    if (!realm::forward_message(self_of(ctx).id(), pid_realm(a[0]), to, a[1], &error)) {
      return ctx.fail("badarg", str_cat("send: ", error));
    }
  } else if (!deliver_message(ctx, to, a[1], "send")) {
    return false;
  }
  *o = ok_keyword();
  return true;
}

// (send-sync* pid msg ref): the sending half of send-sync (lona/process.lona): sends msg, which
// the receiver acknowledges with a reply to ref when a receive takes it, and awaits that reply.
bool send_sync(NativeContext& ctx, Args a, Term* o) {
  uint64_t to;
  if (!pid_arg(ctx, a[0], "send-sync", &to)) return false;
  if (!is_ref(a[2])) return type_error(ctx, "send-sync", "a ref", a[2]);
  uint64_t ref = ref_id(a[2]);
  if (!deliver_message(ctx, to, a[1], "send-sync", EnvelopeKind::kMessage, ref)) return false;
  self_of(ctx).set_awaited_reply(ref);
  *o = ok_keyword();
  return true;
}

// (await-reply* ref): the process accepts a reply to ref (it arrives as [:lona/reply ref value]);
// (await-reply* nil): no reply any more (one that comes later is dropped).
bool await_reply(NativeContext& ctx, Args a, Term* o) {
  if (!a[0].is_nil() && !is_ref(a[0])) return type_error(ctx, "await-reply*", "a ref or nil", a[0]);
  self_of(ctx).set_awaited_reply(a[0].is_nil() ? 0 : ref_id(a[0]));
  *o = ok_keyword();
  return true;
}

// (reply* pid ref value): answers request ref of process pid (lona.server's reply). Dropped
// unless pid awaits that reply.
bool reply(NativeContext& ctx, Args a, Term* o) {
  uint64_t to;
  if (!pid_arg(ctx, a[0], "reply", &to)) return false;
  if (!is_ref(a[1])) return type_error(ctx, "reply", "a ref", a[1]);
  if (!deliver_message(ctx, to, a[2], "reply", EnvelopeKind::kReply, ref_id(a[1]))) return false;
  *o = ok_keyword();
  return true;
}

std::optional<uint64_t> lookup_name(Term name) {
  std::optional<uint64_t> id = runtime().registry().find(name.name_index());
  if (!id) return std::nullopt;
  Process* p = runtime().find(*id);
  if (p == nullptr) {  // registered for a process that has exited since
    runtime().registry().remove_if(name.name_index(), *id);
    return std::nullopt;
  }
  p->release();
  return id;
}

bool send_named(NativeContext& ctx, Args a, Term* o) {
  if (!a[0].is_symbol()) return type_error(ctx, "send-named", "a symbol", a[0]);
  std::optional<uint64_t> to = lookup_name(a[0]);
  if (!to) {
    *o = make_keyword("not-found");
    return true;
  }
  if (!deliver_message(ctx, *to, a[1], "send-named")) return false;
  *o = ok_keyword();
  return true;
}

// --- links, monitors, exits ----------------------------------------------------------------------

// link and unlink: :ok; see Runtime::link for a pid with no process.
template <void (Runtime::*kOp)(Process&, uint64_t)>
bool link_op(NativeContext& ctx, Args a, Term* o, const char* fn) {
  uint64_t other;
  if (!signal_target_arg(ctx, a[0], fn, &other)) return false;
  (runtime().*kOp)(self_of(ctx), other);
  *o = ok_keyword();
  return true;
}
bool link(NativeContext& c, Args a, Term* o) { return link_op<&Runtime::link>(c, a, o, "link"); }
bool unlink(NativeContext& c, Args a, Term* o) {
  return link_op<&Runtime::unlink>(c, a, o, "unlink");
}

bool monitor(NativeContext& ctx, Args a, Term* o) {
  uint64_t target;
  if (!signal_target_arg(ctx, a[0], "monitor", &target)) return false;
  *o = make_ref(ctx.heap, runtime().monitor(self_of(ctx), target));
  return true;
}

bool demonitor(NativeContext& ctx, Args a, Term* o) {
  if (!is_ref(a[0])) {
    return ctx.fail("badarg",
                    str_cat("demonitor: bad argument: ", print_bounded(a[0]), " is not a ref"));
  }
  runtime().demonitor(self_of(ctx), ref_id(a[0]));
  *o = ok_keyword();
  return true;
}

bool exit_(NativeContext& ctx, Args a, Term* o) {
  Process& self = self_of(ctx);
  if (a.size() == 1) {  // (exit reason): this process ends with reason
    self.set_exit_reason(a[0]);
    return ctx.fail("exit", str_cat("exit ", print_bounded(a[0])));
  }
  uint64_t target;
  if (!signal_target_arg(ctx, a[0], "exit", &target)) return false;
  bool bytebuf = false;  // an exit signal is sent as a message is: never with a bytebuf in it
  if (!runtime().exit_signal(self.id(), target, a[1], &bytebuf)) {
    if (bytebuf) {
      return type_error(ctx, "exit", "a reason without bytebufs (a bytebuf is never sent)", a[1]);
    }
    return ctx.fail("badarg", "exit: the reason is too large to copy");
  }
  *o = ok_keyword();
  return true;
}

bool trap_exit(NativeContext& ctx, Args a, Term* o) {
  if (!a[0].is_boolean()) return type_error(ctx, "trap-exit", "true or false", a[0]);
  self_of(ctx).set_trap_exit(a[0] == Term::boolean(true));
  *o = ok_keyword();
  return true;
}

// (bind-process-var* #'v value): what (def v value) compiles to for a process-bound var v that
// has a root: the calling process's own value of v (reference 3, process-bound vars). The var.
bool bind_process_var(NativeContext& ctx, Args a, Term* o) {
  if (!a[0].is_var()) return type_error(ctx, "bind-process-var*", "a var", a[0]);
  // (def *ns* ns): in-ns
  if (Namespaces::global().var(a[0].index()).names_current_ns.load(std::memory_order_relaxed)) {
    if (!a[1].is_ns()) return type_error(ctx, "def", "a namespace for *ns*", a[1]);
    ctx.interp->set_current_ns(a[1].index());
    *o = a[0];
    return true;
  }
  // Children start with a copy of it, and a bytebuf is never shared.
  CopyHolds holds;
  deep_copy_words(a[1], Envelope::kMaxMessageWords, &holds);
  if (holds.bytebuf) {
    return type_error(ctx, "def", "a value without bytebufs for a process-bound var", a[1]);
  }
  self_of(ctx).set_binding(a[0].index(), a[1]);
  *o = a[0];
  return true;
}

bool yield(NativeContext& ctx, Args, Term* o) {
  ctx.interp->end_slice();
  *o = ok_keyword();
  return true;
}

// --- the registry --------------------------------------------------------------------------------

bool register_(NativeContext& ctx, Args a, Term* o) {
  if (!a[0].is_symbol()) return type_error(ctx, "register", "a symbol", a[0]);
  Process& self = self_of(ctx);
  uint64_t id = self.id();
  if (a.size() > 1 && !pid_arg(ctx, a[1], "register", &id)) return false;
  if (lookup_name(a[0])) {
    return ctx.fail("badarg", str_cat("register: the name ", print(a[0]), " is taken"));
  }
  if (id != self.id()) {
    Process* p = runtime().find(id);
    if (p == nullptr)
      return ctx.fail("noproc", str_cat("register: no process ", print_bounded(a[1])));
    p->release();
  }
  if (!runtime().registry().add(a[0].name_index(), id)) {
    return ctx.fail("badarg", str_cat("register: the name ", print(a[0]), " is taken"));
  }
  if (id == self.id()) self.set_name(a[0]);
  *o = ok_keyword();
  return true;
}

bool unregister(NativeContext& ctx, Args a, Term* o) {
  if (!a[0].is_symbol()) return type_error(ctx, "unregister", "a symbol", a[0]);
  runtime().registry().remove(a[0].name_index());
  Process& self = self_of(ctx);
  if (self.name() == a[0]) self.set_name(Term::nil());
  *o = ok_keyword();
  return true;
}

bool whereis(NativeContext& ctx, Args a, Term* o) {
  if (!a[0].is_symbol()) return type_error(ctx, "whereis", "a symbol", a[0]);
  std::optional<uint64_t> id = lookup_name(a[0]);
  *o = id ? pid_term(ctx, *id) : Term::nil();
  return true;
}

// --- process-info --------------------------------------------------------------------------------

// (process-info* pid ref): the half of process-info (lona/process.lona) that runs here. Of the
// calling process (pid nil or its own): the map. Of a pid with no live process: nil. Of any
// other: asks it (runtime/process/process_info.hpp) and returns ref; the map arrives as the
// reply [:lona/reply ref map], which process-info waits for while it monitors the target.
bool process_info(NativeContext& ctx, Args a, Term* o) {
  Process& self = self_of(ctx);
  uint64_t id = self.id();
  if (!a[0].is_nil() && !pid_arg(ctx, a[0], "process-info", &id)) return false;
  if (!is_ref(a[1])) return type_error(ctx, "process-info*", "a ref", a[1]);
  if (id == self.id()) {
    *o = build_process_info(self, ctx.heap, process_status(self));
    return true;
  }
  Process* target = runtime().find(id);
  if (target == nullptr || target->exited()) {
    if (target != nullptr) target->release();
    *o = Term::nil();
    return true;
  }
  request_process_info(self, *target, ref_id(a[1]));
  target->release();
  *o = a[1];
  return true;
}

const Intrinsic kIntrinsics[] = {
    {"spawn", spawn<SpawnKind::kPlain>, 1, 2},
    {"spawn-link", spawn<SpawnKind::kLink>, 1, 2},
    {"spawn-monitor", spawn<SpawnKind::kMonitor>, 1, 2},
    {"self", self, 0, 0},
    {"alive?", alive_p, 1, 1},
    {"pid?", pid_p, 1, 1},
    {"ref?", ref_p, 1, 1},
    {"realm-id?", realm_id_p, 1, 1},
    {"make-ref", make_ref_, 0, 0},
    {"self-realm", self_realm, 0, 0},
    {"pid-realm", pid_realm_, 1, 1},
    {"pid-local", pid_local_, 1, 1},
    {"pid=", pid_eq, 2, 2},
    {"send", send, 2, 2},
    {"send-named", send_named, 2, 2},
    {"send-sync*", send_sync, 3, 3},
    {"await-reply*", await_reply, 1, 1},
    {"reply*", reply, 3, 3},
    {"link", link, 1, 1},
    {"unlink", unlink, 1, 1},
    {"monitor", monitor, 1, 1},
    {"demonitor", demonitor, 1, 1},
    {"exit", exit_, 1, 2},
    {"trap-exit", trap_exit, 1, 1},
    {"yield!", yield, 0, 0},
    {"bind-process-var*", bind_process_var, 2, 2},
    {"register", register_, 1, 2},
    {"unregister", unregister, 1, 1},
    {"whereis", whereis, 1, 1},
    {"whereis-local", whereis, 1, 1},
    {"process-info*", process_info, 2, 2},
};

}  // namespace

std::span<const Intrinsic> process_intrinsic_table() { return kIntrinsics; }

}  // namespace lona
