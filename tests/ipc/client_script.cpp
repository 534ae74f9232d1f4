// tests/ipc: the client script.
#include "tests/ipc/client_script.hpp"

#include <sys/mman.h>
#include <sys/stat.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "idl/lona_services.hpp"
#include "tests/ipc/reference_services.hpp"

namespace lona::ipc::testing {
namespace {

// The text at the start of the memfd of grant `id`, or why it could not be read.
std::string grant_marker(int fd, std::uint64_t size) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return "fstat failed";
  if (static_cast<std::uint64_t>(info.st_size) != size) {
    return absl::StrCat("memfd of ", info.st_size, " bytes, the reply says ", size);
  }
  void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (mapped == MAP_FAILED) return "mmap failed";
  std::string text(static_cast<const char*>(mapped),
                   ::strnlen(static_cast<const char*>(mapped), 64));
  ::munmap(mapped, size);
  return text;
}

}  // namespace

std::string run_client_script(RpcClient& rpc) {
  BootClient boot(rpc);
  MemoryClient memory(rpc);
  RealmsClient realms(rpc);
  ControlClient control(rpc);

  auto info = boot.GetBootInfo(BootInfoRequestT{});
  if (!info.ok()) return absl::StrCat("GetBootInfo: ", info.status().ToString());
  if ((*info)->name != "init" || (*info)->workers != 2) return "GetBootInfo: unexpected reply";

  AllocateRequestT allocate;
  allocate.region_type = RegionType_Heap;
  allocate.size = 10000;
  auto grant = memory.Allocate(allocate);
  if (!grant.ok()) return absl::StrCat("Allocate: ", grant.status().ToString());
  if ((*grant)->size != 12288 || !(*grant)->grant) return "Allocate: wrong size or no grant id";
  if (grant->fds.size() != 1) return absl::StrCat("Allocate: ", grant->fds.size(), " fds, not 1");
  std::string marker = grant_marker(grant->fds[0].get(), (*grant)->size);
  if (marker != absl::StrCat(ReferenceLmm::kGrantMarker, (*grant)->grant->value())) {
    return absl::StrCat("Allocate: the memfd says \"", marker, "\"");
  }

  allocate.size = std::uint64_t{1} << 40;
  auto refused = memory.Allocate(allocate);
  if (refused.status().code() != absl::StatusCode::kResourceExhausted) {
    return absl::StrCat("Allocate over the quota: ", refused.status().ToString());
  }

  FreeRequestT free;
  free.grant = std::make_unique<GrantId>((*grant)->grant->value());
  auto freed = memory.Free(free);
  if (!freed.ok() || (*freed)->freed_bytes != 12288) return "Free: wrong reply";
  auto again = memory.Free(free);
  if (again.status().code() != absl::StatusCode::kNotFound) return "Free twice: not NotFound";

  RealmCreateRequestT create;
  create.name = "worker";
  create.policy = std::make_unique<PolicyT>();
  create.policy->memory = std::make_unique<MemoryPolicyT>();
  create.policy->memory->max_bytes = 1 << 20;
  auto created = realms.Create(create);
  if (!created.ok()) return absl::StrCat("Create: ", created.status().ToString());
  RealmRequestT which;
  which.realm = std::make_unique<RealmId>((*created)->realm->value());
  auto started = realms.Start(which);
  if (!started.ok() || (*started)->status != RealmStatus_Running) return "Start: wrong reply";

  auto listed = control.ListRealms(ListRealmsRequestT{});
  if (!listed.ok() || (*listed)->realms.size() != 2 || (*listed)->realms[1]->name != "worker") {
    return "ListRealms: wrong reply";
  }
  which.realm = std::make_unique<RealmId>(1);
  auto stats = control.Stats(which);
  if (!stats.ok() || (*stats)->limit_bytes != (64 << 20)) return "Stats: wrong reply";
  auto counts = control.CountProcesses(ProcessCountsRequestT{});
  if (!counts.ok() || (*counts)->counts.size() != 2 || (*counts)->counts[0]->processes != 3) {
    return "CountProcesses: wrong reply";
  }
  auto init_gone = control.Terminate(which);
  if (init_gone.status().code() != absl::StatusCode::kPermissionDenied) {
    return "Terminate of the init realm: not PermissionDenied";
  }
  return "";
}

}  // namespace lona::ipc::testing
