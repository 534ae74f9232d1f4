// lmm: starting a realm. A realm is `lona-vm` in an OS process of its own, with one end of a
// socketpair at fd 3 (the only fd it inherits besides stdio) and a pidfd here to reap it by.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ipc/socket_channel.hpp"
#include "ipc/unique_fd.hpp"

namespace lona::lmm {

/// The fd at which a realm finds its connection to the LMM (`lona-vm --lmm-fd 3`).
inline constexpr int kRealmFd = 3;

/// What to start.
struct LaunchSpec {
  /// The lona-vm executable.
  std::string vm_path;
  /// Its arguments after `--lmm-fd 3`.
  std::vector<std::string> args;
  /// Whether the realm keeps the terminal (stdin, and the foreground process group). Only the
  /// init realm does: the others read /dev/null and are not stopped by the terminal's Ctrl-C.
  bool terminal = false;
};

/// A started realm process.
struct LaunchedRealm {
  pid_t pid = -1;
  /// Readable when the process has ended (epoll), and what waitid reaps it by.
  ipc::UniqueFd pidfd;
  /// The LMM's end of the realm's socketpair.
  ipc::SocketChannel channel{ipc::UniqueFd()};
};

/// Starts `spec`. The process dies with the LMM (PR_SET_PDEATHSIG), so no realm outlives it.
absl::StatusOr<LaunchedRealm> launch_realm(const LaunchSpec& spec);

/// The lona-vm beside the running executable (bin/lona -> bin/lona-vm).
std::string default_vm_path();

}  // namespace lona::lmm
