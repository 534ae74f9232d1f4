// lmm: launch_realm.
#include "lmm/launcher.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lmm/pidfd.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace lona::lmm {
namespace {

absl::Status errno_error(const char* what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// In the child, between fork and exec: only async-signal-safe calls, and _exit on failure
// (127, as a shell says "could not run").
[[noreturn]] void exec_child(int socket, pid_t lmm, const LaunchSpec& spec, char** argv) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != lmm) ::_exit(127);
  if (!spec.terminal) {
    // Out of the terminal's process group: Ctrl-C at the REPL is not a signal to child realms.
    ::setpgid(0, 0);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0 || ::dup2(null, STDIN_FILENO) < 0) ::_exit(127);
  }
  if (socket == kRealmFd) {
    if (::fcntl(socket, F_SETFD, 0) != 0) ::_exit(127);
  } else if (::dup2(socket, kRealmFd) < 0) {
    ::_exit(127);
  }
  ::close_range(kRealmFd + 1, ~0U, 0);
  // The LMM ignores SIGPIPE, SIGINT and SIGQUIT, which exec would hand on: a realm starts with
  // the defaults.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int signal : {SIGPIPE, SIGINT, SIGQUIT}) ::signal(signal, SIG_DFL);
  ::execve(argv[0], argv, environ);
  ::_exit(127);
}

}  // namespace

absl::StatusOr<LaunchedRealm> launch_realm(const LaunchSpec& spec) {
  // Everything the child needs is built before fork: it allocates nothing.
  std::vector<std::string> words{spec.vm_path, "--lmm-fd", std::to_string(kRealmFd)};
  words.insert(words.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  argv.reserve(words.size() + 1);
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  if (::access(spec.vm_path.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot run the realm executable ", spec.vm_path, ": ", std::strerror(errno)));
  }

  absl::StatusOr<std::pair<ipc::SocketChannel, ipc::SocketChannel>> ends =
      ipc::SocketChannel::pair();
  if (!ends.ok()) return ends.status();
  pid_t lmm = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return errno_error("fork");
  if (pid == 0) exec_child(ends->second.fd(), lmm, spec, argv.data());

  LaunchedRealm realm;
  realm.pid = pid;
  realm.pidfd = ipc::UniqueFd(pidfd_open(pid));  // close-on-exec, as every pidfd
  if (!realm.pidfd) {
    absl::Status error = errno_error("pidfd_open");
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return error;
  }
  realm.channel = std::move(ends->first);
  return realm;
}

std::string default_vm_path() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "lona-vm";
  return (self.parent_path() / "lona-vm").string();
}

}  // namespace lona::lmm
