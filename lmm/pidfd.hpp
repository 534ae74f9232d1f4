// lmm: process file descriptors, by system call: Debian 12's <sys/pidfd.h> (glibc 2.36) declares
// its functions without C linkage, so C++ cannot link against them.
#pragma once

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lona::lmm {

/// An fd for process `pid` (close-on-exec): readable once it has ended; waitid(P_PIDFD) reaps it.
inline int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

/// Sends `signal` to the process of `pidfd` (which, unlike a pid, is never reused).
inline int pidfd_signal(int pidfd, int signal) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

/// Reaps the process of `pidfd` if it has ended: true then, with how it ended in `info`.
inline bool reap_if_ended(int pidfd, siginfo_t* info) {
  *info = {};
  return ::waitid(P_PIDFD, static_cast<id_t>(pidfd), info, WEXITED | WNOHANG) == 0 &&
         info->si_pid != 0;
}

/// Waits for the process of `pidfd` to end, and reaps it: how it ended.
inline siginfo_t reap(int pidfd) {
  siginfo_t info{};
  ::waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED);
  return info;
}

}  // namespace lona::lmm
