// tests/ipc: the reference LMM services.
#include "tests/ipc/reference_services.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace lona::ipc::testing {
namespace {

constexpr std::uint64_t kPage = 4096;

}  // namespace

void ReferenceLmm::bind_all(Dispatcher& dispatcher) {
  BootService::bind(dispatcher);
  MemoryService::bind(dispatcher);
  RealmsService::bind(dispatcher);
  ControlService::bind(dispatcher);
}

absl::Status ReferenceLmm::GetBootInfo(CallContext& context, const BootInfoRequest&,
                                       BootInfoT& reply) {
  ++requests_;
  reply.realm = std::make_unique<RealmId>(context.peer() == 0 ? 1 : context.peer());
  reply.parent = std::make_unique<RealmId>(0);
  reply.name = "init";
  reply.workers = 2;
  reply.flags = BootFlags_Repl;
  return absl::OkStatus();
}

absl::Status ReferenceLmm::Allocate(CallContext& context, const AllocateRequest& request,
                                    AllocateReplyT& reply) {
  ++requests_;
  if (request.size() == 0) return absl::InvalidArgumentError("cannot grant 0 bytes");
  if (request.size() > quota_bytes_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a grant of ", request.size(), " bytes is over the quota of ", quota_bytes_));
  }
  std::uint64_t size = (request.size() + kPage - 1) / kPage * kPage;
  if (held_bytes_ + size > quota_bytes_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "quota exhausted: ", held_bytes_, " of ", quota_bytes_, " bytes held, ", size, " asked"));
  }
  std::uint64_t id = next_grant_++;
  if (send_fds_) {
    UniqueFd memfd(::memfd_create("lona-grant", MFD_CLOEXEC));
    if (!memfd || ::ftruncate(memfd.get(), static_cast<off_t>(size)) != 0) {
      return absl::InternalError(absl::StrCat("memfd: ", std::strerror(errno)));
    }
    std::string marker = absl::StrCat(kGrantMarker, id);
    if (::pwrite(memfd.get(), marker.data(), marker.size(), 0) !=
        static_cast<ssize_t>(marker.size())) {
      return absl::InternalError(absl::StrCat("memfd write: ", std::strerror(errno)));
    }
    context.attach(std::move(memfd));
  }
  grants_[id] = size;
  held_bytes_ += size;
  reply.grant = std::make_unique<GrantId>(id);
  reply.size = size;
  return absl::OkStatus();
}

absl::Status ReferenceLmm::Free(CallContext&, const FreeRequest& request, FreeReplyT& reply) {
  ++requests_;
  std::uint64_t id = request.grant() != nullptr ? request.grant()->value() : 0;
  auto found = grants_.find(id);
  if (found == grants_.end()) return absl::NotFoundError(absl::StrCat("no grant ", id));
  reply.freed_bytes = found->second;
  held_bytes_ -= found->second;
  grants_.erase(found);
  return absl::OkStatus();
}

absl::Status ReferenceLmm::Create(CallContext&, const RealmCreateRequest& request,
                                  RealmCreateReplyT& reply) {
  ++requests_;
  std::string name = request.name()->str();
  if (name.empty()) return absl::InvalidArgumentError("a realm needs a name");
  for (const auto& [id, realm] : realms_) {
    if (realm.name == name && realm.status != RealmStatus_Terminated) {
      return absl::AlreadyExistsError(absl::StrCat("a realm named ", name, " exists"));
    }
  }
  std::uint64_t id = next_realm_++;
  realms_[id] = Realm{name, 1, RealmStatus_Created};
  reply.realm = std::make_unique<RealmId>(id);
  return absl::OkStatus();
}

absl::Status ReferenceLmm::set_status(const RealmRequest& request, RealmStatus status,
                                      RealmStatusReplyT& reply) {
  ++requests_;
  auto known = known_realm(request);
  if (!known.ok()) return known.status();
  std::uint64_t id = *known;
  Realm& realm = realms_.at(id);
  if (id == 1 && status == RealmStatus_Terminated) {
    return absl::PermissionDeniedError("the init realm cannot be terminated");
  }
  if (realm.status == RealmStatus_Terminated) {
    return absl::FailedPreconditionError(absl::StrCat("realm ", id, " has ended"));
  }
  realm.status = status;
  reply.realm = std::make_unique<RealmId>(id);
  reply.status = status;
  return absl::OkStatus();
}

absl::Status ReferenceLmm::Start(CallContext&, const RealmRequest& request,
                                 RealmStatusReplyT& reply) {
  return set_status(request, RealmStatus_Running, reply);
}
absl::Status ReferenceLmm::Suspend(CallContext&, const RealmRequest& request,
                                   RealmStatusReplyT& reply) {
  return set_status(request, RealmStatus_Suspended, reply);
}
absl::Status ReferenceLmm::Resume(CallContext&, const RealmRequest& request,
                                  RealmStatusReplyT& reply) {
  return set_status(request, RealmStatus_Running, reply);
}
absl::Status ReferenceLmm::Terminate(CallContext&, const RealmRequest& request,
                                     RealmStatusReplyT& reply) {
  return set_status(request, RealmStatus_Terminated, reply);
}

absl::StatusOr<std::uint64_t> ReferenceLmm::known_realm(const RealmRequest& request) const {
  std::uint64_t id = request.realm() != nullptr ? request.realm()->value() : 0;
  if (!realms_.contains(id)) return absl::NotFoundError(absl::StrCat("no realm ", id));
  return id;
}

void ReferenceLmm::describe(std::uint64_t id, RealmInfoT& info) const {
  const Realm& realm = realms_.at(id);
  info.realm = std::make_unique<RealmId>(id);
  info.name = realm.name;
  info.status = realm.status;
  info.parent = std::make_unique<RealmId>(realm.parent);
  for (const auto& [child, entry] : realms_) {
    if (entry.parent == id) info.children.emplace_back(child);
  }
  info.usage = std::make_unique<ResourceUsageT>();
  info.usage->memory_bytes = id == 1 ? held_bytes_ : 0;
  info.usage->memory_bytes_subtree = held_bytes_;
  info.process_count = id == 1 ? 3 : 0;
}

absl::Status ReferenceLmm::Info(CallContext&, const RealmRequest& request, RealmInfoT& reply) {
  ++requests_;
  auto known = known_realm(request);
  if (!known.ok()) return known.status();
  std::uint64_t id = *known;
  describe(id, reply);
  return absl::OkStatus();
}

absl::Status ReferenceLmm::ListChildren(CallContext&, const RealmRequest& request,
                                        RealmListT& reply) {
  ++requests_;
  auto known = known_realm(request);
  if (!known.ok()) return known.status();
  std::uint64_t id = *known;
  for (const auto& [child, realm] : realms_) {
    if (realm.parent == id) reply.realms.emplace_back(child);
  }
  return absl::OkStatus();
}

absl::Status ReferenceLmm::ListRealms(CallContext&, const ListRealmsRequest&,
                                      RealmInfoListT& reply) {
  ++requests_;
  for (const auto& [id, realm] : realms_) {
    auto info = std::make_unique<RealmInfoT>();
    describe(id, *info);
    reply.realms.push_back(std::move(info));
  }
  return absl::OkStatus();
}

absl::Status ReferenceLmm::Stats(CallContext&, const RealmRequest& request, RealmStatsT& reply) {
  ++requests_;
  auto known = known_realm(request);
  if (!known.ok()) return known.status();
  std::uint64_t id = *known;
  reply.realm = std::make_unique<RealmId>(id);
  reply.grants = id == 1 ? grants_.size() : 0;
  reply.granted_bytes = id == 1 ? held_bytes_ : 0;
  reply.limit_bytes = quota_bytes_;
  reply.requests = requests_;
  return absl::OkStatus();
}

absl::Status ReferenceLmm::CountProcesses(CallContext&, const ProcessCountsRequest&,
                                          ProcessCountsT& reply) {
  ++requests_;
  for (const auto& [id, realm] : realms_) {
    auto count = std::make_unique<ProcessCountT>();
    count->realm = std::make_unique<RealmId>(id);
    count->processes = id == 1 ? 3 : 0;
    reply.counts.push_back(std::move(count));
  }
  return absl::OkStatus();
}

}  // namespace lona::ipc::testing
