// vm/realm: Lonala's realm functions (reference 4.2): realm-create, realm-terminate, realm-info,
// parent-realm, child-realms, spawn-in (spawn-in* under the spawn-in macro of lona/process.lona),
// request-memory, return-memory. Each is a call to the LMM over
// the realm's LmmLink, made from the calling process's thread, which waits for the answer.
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "runtime/sched/runtime.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/term_codec.hpp"
#include "runtime/term/text.hpp"
#include "vm/interp/interpreter.hpp"
#include "vm/intrinsics/intrinsic_support.hpp"
#include "vm/namespace/namespaces.hpp"
#include "vm/realm/lmm_link.hpp"
#include "vm/realm/realm_inbox.hpp"
#include "vm/realm/remote_route.hpp"

namespace lona {
namespace {

using realm::LmmLink;

Runtime& runtime() { return Runtime::get(); }

// The link, or :not-supported: a standalone VM (lona-vm --standalone) has no LMM to ask.
LmmLink* link_or_fail(NativeContext& ctx, const char* fn) {
  LmmLink* link = LmmLink::current();
  if (link == nullptr) {
    ctx.fail("not-supported", str_cat(fn,
                                      ": realms need the LMM, and this VM runs standalone "
                                      "(start it with lona, not lona-vm)"));
  }
  return link;
}

// The Lonala error reason for what the LMM answered.
std::string reason_of(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return "no-realm";
    case absl::StatusCode::kPermissionDenied:
      return "not-descendant";
    case absl::StatusCode::kResourceExhausted:
      return "out-of-memory";
    case absl::StatusCode::kInvalidArgument:
      return "badarg";
    case absl::StatusCode::kUnavailable:
      return "noconnection";
    case absl::StatusCode::kUnimplemented:
      return "not-supported";
    case absl::StatusCode::kAlreadyExists:
      return "already-exists";
    default:
      return "error";
  }
}

bool lmm_error(NativeContext& ctx, const char* fn, const absl::Status& status) {
  return ctx.fail(reason_of(status), str_cat(fn, ": ", std::string(status.message())));
}

// [:error reason] for the functions that answer with a tuple rather than fail (spawn-in,
// request-memory).
Term error_tuple(NativeContext& ctx, const absl::Status& status) {
  ctx.heap.push(make_keyword("error"));
  ctx.heap.push(make_keyword(reason_of(status)));
  return tuple_from_stack(ctx.heap, 2);
}

bool realm_arg(NativeContext& ctx, Term t, const char* fn, uint64_t* out) {
  if (!is_realm_id(t)) return type_error(ctx, fn, "a realm id", t);
  *out = realm_id_value(t);
  return true;
}

// A call about the realm a function was given: the link to make it on and the request naming
// the realm. False (the error set) without an LMM or a realm id. The caller's thread blocks
// from here on.
struct RealmCall {
  LmmLink* link = nullptr;
  ipc::RealmRequestT request;
};
bool realm_call(NativeContext& ctx, Term realm, const char* fn, RealmCall* out) {
  out->link = link_or_fail(ctx, fn);
  uint64_t id = 0;
  if (out->link == nullptr || !realm_arg(ctx, realm, fn, &id)) return false;
  out->request.realm = std::make_unique<ipc::RealmId>(id);
  runtime().before_blocking();
  return true;
}

Term u64_term(Heap& heap, uint64_t v) {
  if (v <= static_cast<uint64_t>(INT64_MAX)) return make_integer(heap, static_cast<int64_t>(v));
  return make_integer(heap, BigInt::from_uint64(v));
}

// A non-negative integer that fits 64 bits, from an option map.
bool u64_option(NativeContext& ctx, Term v, const char* what, uint64_t* out) {
  if (!v.is_fixnum() || v.fixnum_value() < 0) {
    return ctx.fail("badarg", str_cat("realm-create: ", what,
                                      " must be a non-negative integer, got ", print_bounded(v)));
  }
  *out = static_cast<uint64_t>(v.fixnum_value());
  return true;
}

std::optional<Term> option(Term map, const char* key) {
  if (!is_map(map)) return std::nullopt;
  return map_get(map, make_keyword(key));
}

// %{:min m :max n} into *min and *max.
bool min_max(NativeContext& ctx, Term policy, const char* key, uint64_t* min, uint64_t* max) {
  std::optional<Term> part = option(policy, key);
  if (!part || part->is_nil()) return true;
  if (!is_map(*part)) return type_error(ctx, "realm-create", "a map of :min and :max", *part);
  if (std::optional<Term> v = option(*part, "min"); v && !u64_option(ctx, *v, ":min", min)) {
    return false;
  }
  if (std::optional<Term> v = option(*part, "max"); v && !u64_option(ctx, *v, ":max", max)) {
    return false;
  }
  return true;
}

// (realm-create %{:name n :policy %{:cpu %{:min :max} :memory %{:min :max}} :schedulers s})
bool realm_create(NativeContext& ctx, Args a, Term* o) {
  LmmLink* link = link_or_fail(ctx, "realm-create");
  if (link == nullptr) return false;
  if (!is_map(a[0])) return type_error(ctx, "realm-create", "an options map", a[0]);
  ipc::RealmCreateRequestT request;
  std::optional<Term> name = option(a[0], "name");
  if (!name || !(name->is_symbol() || name->is_keyword() || is_string(*name))) {
    return ctx.fail("badarg", "realm-create: :name (a symbol or string) is required");
  }
  request.name = std::string(is_string(*name) ? byte_view(*name) : name_entry(*name).full);
  request.policy = std::make_unique<ipc::PolicyT>();
  request.policy->cpu = std::make_unique<ipc::CpuPolicyT>();
  request.policy->memory = std::make_unique<ipc::MemoryPolicyT>();
  if (std::optional<Term> policy = option(a[0], "policy"); policy && !policy->is_nil()) {
    if (!is_map(*policy)) return type_error(ctx, "realm-create", "a :policy map", *policy);
    uint64_t cpu_min = 0;
    uint64_t cpu_max = 0;
    if (!min_max(ctx, *policy, "cpu", &cpu_min, &cpu_max)) return false;
    request.policy->cpu->min_percent = static_cast<uint32_t>(std::min<uint64_t>(cpu_min, 100000));
    request.policy->cpu->max_percent = static_cast<uint32_t>(std::min<uint64_t>(cpu_max, 100000));
    if (!min_max(ctx, *policy, "memory", &request.policy->memory->min_bytes,
                 &request.policy->memory->max_bytes)) {
      return false;
    }
  }
  if (std::optional<Term> s = option(a[0], "schedulers"); s && !s->is_nil()) {
    if (*s != make_keyword("auto")) {
      if (!s->is_fixnum() || s->fixnum_value() < 1 || s->fixnum_value() > 1024) {
        return ctx.fail("badarg", "realm-create: :schedulers is :auto or 1 to 1024");
      }
      request.workers = static_cast<uint32_t>(s->fixnum_value());
    }
  }
  if (std::optional<Term> shared = option(a[0], "shared"); shared && !shared->is_nil()) {
    return ctx.fail("not-supported", "realm-create: :shared regions are not implemented yet");
  }
  runtime().before_blocking();
  absl::StatusOr<ipc::Reply<ipc::RealmCreateReplyT>> reply =
      link->with_calls([&](LmmLink::Clients& calls) { return calls.realms.Create(request); });
  if (!reply.ok()) return lmm_error(ctx, "realm-create", reply.status());
  *o = make_realm_id(ctx.heap, reply->value.realm->value());
  return true;
}

bool realm_terminate(NativeContext& ctx, Args a, Term* o) {
  RealmCall call;
  if (!realm_call(ctx, a[0], "realm-terminate", &call)) return false;
  absl::Status status = call.link->with_calls(
      [&](LmmLink::Clients& calls) { return calls.realms.Terminate(call.request).status(); });
  if (!status.ok()) return lmm_error(ctx, "realm-terminate", status);
  *o = ok_keyword();
  return true;
}

const char* status_name(ipc::RealmStatus status) {
  switch (status) {
    case ipc::RealmStatus_Created:
      return "created";
    case ipc::RealmStatus_Running:
      return "running";
    case ipc::RealmStatus_Suspended:
      return "suspended";
    case ipc::RealmStatus_Terminated:
      return "terminated";
  }
  return "unknown";
}

const char* down_reason_name(ipc::DownReason reason) {
  switch (reason) {
    case ipc::DownReason_Normal:
      return "normal";
    case ipc::DownReason_Terminated:
      return "terminated";
    case ipc::DownReason_Crashed:
      return "crashed";
    case ipc::DownReason_OutOfMemory:
      return "out-of-memory";
    case ipc::DownReason_RateLimited:
      return "rate-limited";
  }
  return "unknown";
}

// %{:min m :max n} on the heap.
Term min_max_map(Heap& heap, uint64_t min, uint64_t max) {
  heap.push(make_keyword("min"));
  heap.push(u64_term(heap, min));
  heap.push(make_keyword("max"));
  heap.push(u64_term(heap, max));
  return map_from_stack(heap, 2);
}

// (realm-info r): %{:name :status :parent :children :policy :resource-usage :process-count}
bool realm_info(NativeContext& ctx, Args a, Term* o) {
  RealmCall call;
  if (!realm_call(ctx, a[0], "realm-info", &call)) return false;
  uint64_t id = call.request.realm->value();
  absl::StatusOr<ipc::Reply<ipc::RealmInfoT>> reply = call.link->with_calls(
      [&](LmmLink::Clients& calls) { return calls.realms.Info(call.request); });
  Heap& heap = ctx.heap;
  if (!reply.ok()) {
    std::optional<realm::EndedRealm> ended = realm::RealmInbox::ended(id);
    if (!absl::IsNotFound(reply.status()) || !ended) {
      return lmm_error(ctx, "realm-info", reply.status());
    }
    // A realm that has ended, as the LMM told this one: how.
    heap.push(make_keyword("status"));
    heap.push(make_keyword("terminated"));
    heap.push(make_keyword("reason"));
    heap.push(make_keyword(down_reason_name(ended->reason)));
    heap.push(make_keyword("signal"));
    heap.push(Term::fixnum(ended->signal));
    heap.push(make_keyword("exit-status"));
    heap.push(Term::fixnum(ended->exit_status));
    *o = map_from_stack(heap, 4);
    return true;
  }
  const ipc::RealmInfoT& info = reply->value;
  heap.push(make_keyword("name"));
  heap.push(make_symbol(info.name));
  heap.push(make_keyword("status"));
  heap.push(make_keyword(status_name(info.status)));
  heap.push(make_keyword("parent"));
  uint64_t parent = info.parent ? info.parent->value() : 0;
  heap.push(parent == 0 ? Term::nil() : make_realm_id(heap, parent));
  heap.push(make_keyword("children"));
  for (const ipc::RealmId& child : info.children) heap.push(make_realm_id(heap, child.value()));
  heap.push(set_from_stack(heap, info.children.size()));
  heap.push(make_keyword("policy"));
  uint64_t cpu_min = info.policy && info.policy->cpu ? info.policy->cpu->min_percent : 0;
  uint64_t cpu_max = info.policy && info.policy->cpu ? info.policy->cpu->max_percent : 0;
  uint64_t mem_min = info.policy && info.policy->memory ? info.policy->memory->min_bytes : 0;
  uint64_t mem_max = info.policy && info.policy->memory ? info.policy->memory->max_bytes : 0;
  heap.push(make_keyword("cpu"));
  heap.push(min_max_map(heap, cpu_min, cpu_max));
  heap.push(make_keyword("memory"));
  heap.push(min_max_map(heap, mem_min, mem_max));
  heap.push(map_from_stack(heap, 2));
  heap.push(make_keyword("resource-usage"));
  heap.push(make_keyword("memory-bytes"));
  heap.push(u64_term(heap, info.usage ? info.usage->memory_bytes : 0));
  heap.push(make_keyword("memory-bytes-subtree"));
  heap.push(u64_term(heap, info.usage ? info.usage->memory_bytes_subtree : 0));
  heap.push(make_keyword("cpu-micros"));
  heap.push(u64_term(heap, info.usage ? info.usage->cpu_micros : 0));
  heap.push(map_from_stack(heap, 3));
  heap.push(make_keyword("process-count"));
  // This realm counts its own processes now; another reports them to the LMM now and then.
  uint64_t processes = id == runtime().realm_id() ? runtime().process_count() : info.process_count;
  heap.push(u64_term(heap, processes));
  *o = map_from_stack(heap, 7);
  return true;
}

bool parent_realm(NativeContext& ctx, Args, Term* o) {
  LmmLink* link = LmmLink::current();
  // A standalone VM is a root, as the init realm is.
  *o = link == nullptr || link->parent() == 0 ? Term::nil()
                                              : make_realm_id(ctx.heap, link->parent());
  return true;
}

bool child_realms(NativeContext& ctx, Args, Term* o) {
  LmmLink* link = LmmLink::current();
  if (link == nullptr) {
    *o = set_from_stack(ctx.heap, 0);
    return true;
  }
  ipc::RealmRequestT request;
  request.realm = std::make_unique<ipc::RealmId>(runtime().realm_id());
  runtime().before_blocking();
  absl::StatusOr<ipc::Reply<ipc::RealmListT>> reply =
      link->with_calls([&](LmmLink::Clients& calls) { return calls.realms.ListChildren(request); });
  if (!reply.ok()) return lmm_error(ctx, "child-realms", reply.status());
  for (const ipc::RealmId& child : reply->value.realms) {
    ctx.heap.push(make_realm_id(ctx.heap, child.value()));
  }
  *o = set_from_stack(ctx.heap, reply->value.realms.size());
  return true;
}

// (spawn-in* realm f args): f is a var or a symbol (the spawn-in macro of lona/process.lona
// quotes it), args a tuple. The function is the child realm's var of that name.
// (spawn-in* realm f args tie?): what spawn-in, spawn-link-in (tie :link) and spawn-monitor-in
// (tie :monitor) expand to.
bool spawn_in(NativeContext& ctx, Args a, Term* o) {
  static const Term kLink = make_keyword("link");
  static const Term kMonitor = make_keyword("monitor");
  Term tie = a.size() > 3 ? a[3] : Term::nil();
  if (!tie.is_nil() && tie != kLink && tie != kMonitor) {
    return type_error(ctx, "spawn-in*", ":link, :monitor or nil", tie);
  }
  const char* fn = tie == kLink      ? "spawn-link-in"
                   : tie == kMonitor ? "spawn-monitor-in"
                                     : "spawn-in";
  LmmLink* link = link_or_fail(ctx, fn);
  if (link == nullptr) return false;
  uint64_t realm = 0;
  if (!realm_arg(ctx, a[0], fn, &realm)) return false;
  ipc::SpawnInRequestT request;
  request.realm = std::make_unique<ipc::RealmId>(realm);
  if (a[1].is_var()) {
    Var& var = Namespaces::global().var(a[1].index());
    request.ns = std::string(name_entry(Namespaces::global().ns_name(var.ns)).full);
    request.name = std::string(name_entry(var.name).full);
  } else if (a[1].is_symbol()) {
    // Named as the caller's namespace would name it; a name it does not know is taken to be
    // its own (the child realm may define it).
    Term qualified = Namespaces::global().qualify(ctx.current_ns, a[1]);
    const SymbolTable::Entry& entry = name_entry(qualified);
    request.ns = entry.ns_length != 0
                     ? std::string(entry.ns())
                     : std::string(name_entry(Namespaces::global().ns_name(ctx.current_ns)).full);
    request.name = std::string(entry.name());
  } else {
    return type_error(ctx, fn, "a var or a qualified symbol naming the function (no closures)",
                      a[1]);
  }
  if (!a[2].is_nil() && !is_tuple(a[2])) return type_error(ctx, fn, "a tuple of arguments", a[2]);
  std::vector<uint8_t> args;
  std::string error;
  if (!encode_term(a[2].is_nil() ? tuple_from_stack(ctx.heap, 0) : a[2], runtime().realm_id(),
                   &args, &error)) {
    return ctx.fail("badarg", str_cat(fn, ": ", error));
  }
  request.args = std::move(args);
  request.options = std::make_unique<ipc::SpawnOptionsT>();
  request.options->link = tie == kLink;
  request.options->monitor = tie == kMonitor;
  if (tie == kMonitor) request.options->monitor_ref = next_ref_id();
  Process& self = *ctx.interp->process();
  request.parent = std::make_unique<ipc::Pid>(ipc::RealmId(runtime().realm_id()), self.id());
  runtime().before_blocking();
  absl::StatusOr<ipc::Reply<ipc::SpawnInReplyT>> reply =
      link->with_calls([&](LmmLink::Clients& calls) { return calls.messaging.SpawnIn(request); });
  if (!reply.ok()) {
    *o = error_tuple(ctx, reply.status());
    return true;
  }
  if (!reply->value.pid) return ctx.fail("error", str_cat(fn, ": the LMM's reply names no pid"));
  const ipc::Pid& pid = *reply->value.pid;
  // The spawner's end of the tie; whatever the new process did meanwhile waits in this
  // process's mailbox, which it reads only after this returns.
  std::uint64_t child = runtime().remote_pids().stand_in(pid.realm().value(), pid.local());
  if (tie == kLink) {
    self.add_link(child);
    realm::RealmRoute::get().note_link(self.id(), child);
  } else if (tie == kMonitor) {
    self.add_monitor(request.options->monitor_ref, child);
    realm::RealmRoute::get().note_monitor(request.options->monitor_ref, self.id(), child);
  }
  *o = make_pid(ctx.heap, pid.realm().value(), pid.local());
  if (tie == kMonitor) {
    ctx.heap.push(*o);
    ctx.heap.push(make_ref(ctx.heap, request.options->monitor_ref));
    *o = tuple_from_stack(ctx.heap, 2);
  }
  return true;
}

// (memory-pressure-handler f): f runs, in a new process, with :low, :critical or :normal each time
// the realm's memory pressure changes level (how much of its limit the realm and its children
// hold: Low from 75%, Critical from 90%); nil takes the handler away. :ok. A standalone VM has no
// limit, and f never runs.
bool memory_pressure_handler(NativeContext& ctx, Args a, Term* o) {
  if (!a[0].is_nil() && kind_of(a[0]) != Kind::kFunction) {
    return type_error(ctx, "memory-pressure-handler", "a function of the level, or nil", a[0]);
  }
  if (!set_root(realm::memory_pressure_var(), a[0])) {
    return ctx.fail("badarg", "memory-pressure-handler: the function is too large to keep");
  }
  *o = ok_keyword();
  return true;
}

// The grants request-memory took, the latest last. A grant is memory the realm's books count
// until return-memory gives it back; nothing here maps it (the memfd is closed with the reply).
struct Reserve {
  std::mutex mutex;
  std::vector<uint64_t> grants;
};
Reserve& reserve() {
  static Reserve* r = new Reserve();  // lives as long as the realm
  return *r;
}

// (request-memory bytes): :ok, or [:error :out-of-memory] when the quota says no.
bool request_memory(NativeContext& ctx, Args a, Term* o) {
  if (!a[0].is_fixnum() || a[0].fixnum_value() <= 0) {
    return type_error(ctx, "request-memory", "a positive number of bytes", a[0]);
  }
  LmmLink* link = LmmLink::current();
  if (link == nullptr) {
    *o = ok_keyword();  // standalone, memory is the OS's to give
    return true;
  }
  ipc::AllocateRequestT request;
  request.region_type = ipc::RegionType_Heap;
  request.size = static_cast<uint64_t>(a[0].fixnum_value());
  runtime().before_blocking();
  absl::StatusOr<ipc::Reply<ipc::AllocateReplyT>> reply =
      link->with_calls([&](LmmLink::Clients& calls) { return calls.memory.Allocate(request); });
  if (!reply.ok()) {
    *o = error_tuple(ctx, reply.status());
    return true;
  }
  {
    std::lock_guard<std::mutex> lock(reserve().mutex);
    reserve().grants.push_back(reply->value.grant->value());
  }
  *o = ok_keyword();
  return true;
}

// (return-memory bytes): gives back grants request-memory took, the latest first, until `bytes`
// are back (or none is left).
bool return_memory(NativeContext& ctx, Args a, Term* o) {
  if (!a[0].is_fixnum() || a[0].fixnum_value() < 0) {
    return type_error(ctx, "return-memory", "a non-negative number of bytes", a[0]);
  }
  LmmLink* link = LmmLink::current();
  uint64_t wanted = static_cast<uint64_t>(a[0].fixnum_value());
  uint64_t returned = 0;
  while (link != nullptr && returned < wanted) {
    ipc::FreeRequestT request;
    {
      std::lock_guard<std::mutex> lock(reserve().mutex);
      if (reserve().grants.empty()) break;
      request.grant = std::make_unique<ipc::GrantId>(reserve().grants.back());
      reserve().grants.pop_back();
    }
    runtime().before_blocking();
    absl::StatusOr<ipc::Reply<ipc::FreeReplyT>> reply =
        link->with_calls([&](LmmLink::Clients& calls) { return calls.memory.Free(request); });
    if (!reply.ok()) return lmm_error(ctx, "return-memory", reply.status());
    returned += reply->value.freed_bytes;
  }
  *o = ok_keyword();
  return true;
}

const Intrinsic kIntrinsics[] = {
    {"realm-create", realm_create, 1, 1},
    {"realm-terminate", realm_terminate, 1, 1},
    {"realm-info", realm_info, 1, 1},
    {"parent-realm", parent_realm, 0, 0},
    {"child-realms", child_realms, 0, 0},
    {"spawn-in*", spawn_in, 3, 4},
    {"request-memory", request_memory, 1, 1},
    {"return-memory", return_memory, 1, 1},
    {"memory-pressure-handler", memory_pressure_handler, 1, 1},
};

}  // namespace

std::span<const Intrinsic> realm_intrinsic_table() { return kIntrinsics; }

}  // namespace lona
