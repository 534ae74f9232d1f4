// vm/realm: the RealmInbox.
#include "vm/realm/realm_inbox.hpp"

#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"

#include "absl/strings/str_cat.h"
#include "runtime/process/envelope.hpp"
#include "runtime/sched/runtime.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/term_codec.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/loader/loader.hpp"
#include "vm/namespace/namespaces.hpp"
#include "vm/process/lonala_process.hpp"
#include "vm/realm/remote_route.hpp"

namespace lona::realm {
namespace {

struct EndedRealms {
  std::mutex mutex;
  absl::flat_hash_map<std::uint64_t, EndedRealm> realms;
};
EndedRealms& ended_realms() {
  static auto* ended = new EndedRealms();  // read by workers until the process ends
  return *ended;
}

}  // namespace

std::optional<EndedRealm> RealmInbox::ended(std::uint64_t realm) {
  EndedRealms& all = ended_realms();
  std::lock_guard<std::mutex> lock(all.mutex);
  auto found = all.realms.find(realm);
  if (found == all.realms.end()) return std::nullopt;
  return found->second;
}

absl::Status RealmInbox::Deliver(ipc::CallContext&, const ipc::ForwardMessage& request) {
  Runtime& runtime = Runtime::get();
  if (request.to()->realm().value() != runtime.realm_id()) {
    return absl::InvalidArgumentError("a message for a process of another realm");
  }
  TermDecodeResult term =
      decode_term(scratch_, {request.term()->data(), request.term()->size()}, runtime.realm_id());
  if (!term.ok) {
    undecodable_.fetch_add(1, std::memory_order_relaxed);
    return absl::InvalidArgumentError(term.message);
  }
  Envelope* envelope = Envelope::make(EnvelopeKind::kMessage, 0, term.value);
  if (envelope == nullptr) return absl::ResourceExhaustedError("the message is too large");
  runtime.send(request.to()->local(), envelope);  // to a process that is gone: dropped, as ever
  return absl::OkStatus();
}

absl::Status RealmInbox::Spawn(ipc::CallContext&, const ipc::SpawnInRequest& request,
                               ipc::SpawnInReplyT& reply) {
  Runtime& runtime = Runtime::get();
  Term args = Term::nil();
  if (request.args() != nullptr) {
    TermDecodeResult decoded =
        decode_term(scratch_, {request.args()->data(), request.args()->size()}, runtime.realm_id());
    if (!decoded.ok) return absl::InvalidArgumentError(decoded.message);
    if (!is_tuple(decoded.value)) {
      return absl::InvalidArgumentError("spawn-in: the arguments are not a tuple");
    }
    args = decoded.value;
  }
  scratch_.push(args);
  std::string ns = request.ns()->str();
  std::string qualified = absl::StrCat(ns, "/", request.name()->str());
  // As a local call of an undefined function would, a function the realm does not have makes
  // a process that exits with :undefined: the spawner gets its pid, and its monitor the reason.
  EvalError error;
  Term fn = Term::nil();
  uint32_t fn_ns = boot_namespaces();
  if (require_namespace(ns, &error)) {
    Var* var = Namespaces::global().resolve(fn_ns, make_symbol(qualified));
    if (var != nullptr && !var->get().is_unbound()) {
      fn = var->get();
      fn_ns = var->ns;
    } else {
      error = {"undefined", absl::StrCat("spawn-in: ", qualified, " is not defined in realm ",
                                         runtime.realm_id())};
    }
  }
  if (fn.is_nil()) {
    Var* exit = Namespaces::global().resolve(fn_ns, make_symbol("lona.process/exit"));
    fn = exit->get();
    scratch_.pop();
    scratch_.push(LonalaProcess::error_reason(scratch_, error));
    args = tuple_from_stack(scratch_, 1);
    scratch_.push(args);
  }
  const ipc::SpawnOptions* options = request.options();
  std::size_t heap_words = Heap::kSmallestWords;
  if (options != nullptr && options->min_heap_words() > heap_words) {
    heap_words = std::min<std::size_t>(options->min_heap_words(), std::size_t{1} << 26);
  }
  absl::StatusOr<LonalaProcess*> made = new_process(fn, fn_ns, heap_words);
  if (!made.ok()) return made.status();
  LonalaProcess* process = *made;
  std::uint64_t id = process->id();
  Runtime::StartOptions start;
  if (options != nullptr) {
    process->set_priority(options->priority());
    if (options->max_heap_words() != 0) process->set_max_heap_bytes(options->max_heap_words() * 8);
    if (options->name() != nullptr && options->name()->size() != 0) {
      start.name = make_symbol(options->name()->string_view());
    }
  }
  // spawn-link-in, spawn-monitor-in: the tie is in place before the process can run, as with
  // spawn-link here; the spawner takes its end when the reply comes.
  std::uint64_t spawner = 0;
  bool linked = options != nullptr && options->link();
  bool monitored = options != nullptr && options->monitor();
  if (linked || monitored) {
    if (request.parent() == nullptr || request.parent()->realm().value() == runtime.realm_id()) {
      process->release();
      return absl::InvalidArgumentError("spawn-in: a link or monitor without a spawner");
    }
    spawner = runtime.remote_pids().stand_in(request.parent()->realm().value(),
                                             request.parent()->local());
  }
  if (linked) {
    process->add_link(spawner);
    RealmRoute::get().note_link(id, spawner);  // (for a name that is taken: a tie to nobody)
  }
  if (monitored) {
    process->add_monitored_by(RealmRoute::get().note_watched(spawner, options->monitor_ref()),
                              spawner);
  }
  if (!runtime.start(process, start)) {
    return absl::AlreadyExistsError(
        absl::StrCat("spawn-in: the name ", options->name()->str(), " is taken"));
  }
  reply.pid = std::make_unique<ipc::Pid>(ipc::RealmId(runtime.realm_id()), id);
  reply.monitor_ref = monitored ? options->monitor_ref() : 0;
  return absl::OkStatus();
}

absl::Status RealmInbox::Signal(ipc::CallContext&, const ipc::ForwardSignal& request) {
  return RealmRoute::get().receive(request, scratch_);
}

absl::StatusOr<LonalaProcess*> RealmInbox::new_process(Term fn, std::uint32_t ns,
                                                       std::size_t heap_words) {
  Runtime& runtime = Runtime::get();
  std::uint64_t id = runtime.try_next_pid();
  if (id == 0) {
    scratch_.pop();
    return absl::ResourceExhaustedError("system-limit: the realm has as many processes as it can");
  }
  auto* process = new LonalaProcess(runtime, id, heap_words, ns);
  if (!process->set_entry(fn, scratch_.pop())) {
    process->release();
    return absl::InvalidArgumentError("the arguments are too large");
  }
  return process;
}

absl::Status RealmInbox::ListProcesses(ipc::CallContext&, const ipc::ProcessListRequest& request,
                                       ipc::ProcessListT& reply) {
  Runtime& runtime = Runtime::get();
  // A pid takes about 40 bytes in the list: this many fit well within one message.
  constexpr std::size_t kMostInOneMessage = 2000;
  std::size_t limit = request.limit() == 0
                          ? kMostInOneMessage
                          : std::min<std::size_t>(request.limit(), kMostInOneMessage);
  std::vector<std::uint64_t> ids = runtime.process_ids();
  reply.realm = std::make_unique<ipc::RealmId>(runtime.realm_id());
  reply.truncated = ids.size() > limit;
  for (std::size_t i = 0; i < ids.size() && i < limit; ++i) {
    auto summary = std::make_unique<ipc::ProcessSummaryT>();
    summary->pid = std::make_unique<ipc::Pid>(ipc::RealmId(runtime.realm_id()), ids[i]);
    reply.processes.push_back(std::move(summary));
  }
  return absl::OkStatus();
}

absl::Status RealmInbox::RealmDown(ipc::CallContext&, const ipc::RealmDown& request) {
  if (request.realm() == nullptr) return absl::InvalidArgumentError("RealmDown names no realm");
  EndedRealm ended{.reason = request.reason(),
                   .signal = request.fault() != nullptr ? request.fault()->signal() : 0,
                   .exit_status = request.exit_status()};
  {
    EndedRealms& all = ended_realms();
    std::lock_guard<std::mutex> lock(all.mutex);
    all.realms[request.realm()->value()] = ended;
  }
  RealmRoute::get().realm_down(request.realm()->value());
  return absl::OkStatus();
}

absl::Status RealmInbox::OutOfMemory(ipc::CallContext&, const ipc::OutOfMemory&) {
  return absl::OkStatus();
}

absl::Status RealmInbox::RateLimitExceeded(ipc::CallContext&, const ipc::RateLimitExceeded&) {
  return absl::OkStatus();
}

Var& memory_pressure_var() {
  Namespaces& namespaces = Namespaces::global();
  static Var* var = &namespaces.intern(namespaces.find_or_create(make_symbol("lona.process")),
                                       make_symbol("memory-pressure-fn"));
  return *var;
}

absl::Status RealmInbox::MemoryPressure(ipc::CallContext&, const ipc::MemoryPressure& request) {
  static const Term kLevels[] = {make_keyword("normal"), make_keyword("low"),
                                 make_keyword("critical")};
  if (request.level() > ipc::MemoryPressureLevel_MAX) {
    return absl::InvalidArgumentError("an unknown memory pressure level");
  }
  Var& var = memory_pressure_var();
  Term handler = var.get();
  if (handler.is_unbound() || handler.is_nil()) return absl::OkStatus();
  scratch_.push(kLevels[request.level()]);
  scratch_.push(tuple_from_stack(scratch_, 1));
  absl::StatusOr<LonalaProcess*> process = new_process(handler, var.ns, Heap::kSmallestWords);
  if (!process.ok()) return process.status();
  Runtime::get().start(*process);
  return absl::OkStatus();
}

}  // namespace lona::realm
