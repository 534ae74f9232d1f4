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
  if (request.options() != nullptr && (request.options()->link() || request.options()->monitor())) {
    return absl::UnimplementedError("links and monitors across realms are not implemented yet");
  }
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
  std::uint64_t id = runtime.try_next_pid();
  if (id == 0) {
    scratch_.pop();
    return absl::ResourceExhaustedError("system-limit: the realm has as many processes as it can");
  }
  const ipc::SpawnOptions* options = request.options();
  std::size_t heap_words = Heap::kSmallestWords;
  if (options != nullptr && options->min_heap_words() > heap_words) {
    heap_words = std::min<std::size_t>(options->min_heap_words(), std::size_t{1} << 26);
  }
  auto* process = new LonalaProcess(runtime, id, heap_words, fn_ns);
  bool entered = process->set_entry(fn, scratch_.pop());
  if (!entered) {
    process->release();
    return absl::InvalidArgumentError("spawn-in: the arguments are too large");
  }
  Runtime::StartOptions start;
  if (options != nullptr) {
    process->set_priority(options->priority());
    if (options->max_heap_words() != 0) process->set_max_heap_bytes(options->max_heap_words() * 8);
    if (options->name() != nullptr && options->name()->size() != 0) {
      start.name = make_symbol(options->name()->string_view());
    }
  }
  if (!runtime.start(process, start)) {
    return absl::AlreadyExistsError(
        absl::StrCat("spawn-in: the name ", options->name()->str(), " is taken"));
  }
  reply.pid = std::make_unique<ipc::Pid>(ipc::RealmId(runtime.realm_id()), id);
  return absl::OkStatus();
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
  EndedRealms& all = ended_realms();
  std::lock_guard<std::mutex> lock(all.mutex);
  all.realms[request.realm()->value()] = ended;
  return absl::OkStatus();
}

absl::Status RealmInbox::OutOfMemory(ipc::CallContext&, const ipc::OutOfMemory&) {
  return absl::OkStatus();
}

absl::Status RealmInbox::RateLimitExceeded(ipc::CallContext&, const ipc::RateLimitExceeded&) {
  return absl::OkStatus();
}

}  // namespace lona::realm
