// lmm: process file descriptors, by system call: Debian 12's <sys/pidfd.h> (glibc 2.36) declares
// its functions without C linkage, so C++ cannot link against them.
#pragma once

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace lona::lmm {

/// An fd for process `pid` (close-on-exec): readable once it has ended; waitid(P_PIDFD) reaps it.
inline int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

/// Sends `signal` to the process of `pidfd` (which, unlike a pid, is never reused).
inline int pidfd_signal(int pidfd, int signal) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

}  // namespace lona::lmm
