// tests/ipc: the generated C++ client and server in two OS processes over a real SOCK_SEQPACKET
// socketpair, grant fds included (the other end is ipc_peer).
#include <spawn.h>
#include <sys/wait.h>

#include <string>

#include "gtest/gtest.h"
#include "idl/lona_services.hpp"
#include "ipc/socket_channel.hpp"
#include "tests/ipc/client_script.hpp"
#include "tests/ipc/reference_services.hpp"

extern char** environ;

namespace lona::ipc {
namespace {

// Starts `ipc_peer MODE 3` with `end` as its fd 3.
pid_t spawn_peer(const char* mode, SocketChannel& end) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, end.fd(), 3);  // dup2 clears close-on-exec
  std::string path = IPC_PEER;
  char* argv[] = {path.data(), const_cast<char*>(mode), const_cast<char*>("3"), nullptr};
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(spawned, 0) << path;
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(SocketpairTest, ACppClientCallsAServerInAnotherProcess) {
  auto [mine, theirs] = *SocketChannel::pair();
  pid_t server = spawn_peer("serve", theirs);
  { auto close_here = theirs.release(); }
  {
    RpcClient rpc(mine, absl::Seconds(10));
    EXPECT_EQ(testing::run_client_script(rpc), "");
  }
  { auto hang_up = mine.release(); }
  EXPECT_EQ(wait_for(server), 0);
}

TEST(SocketpairTest, AServerHereAnswersAClientInAnotherProcess) {
  auto [mine, theirs] = *SocketChannel::pair();
  pid_t client = spawn_peer("client", theirs);
  { auto close_here = theirs.release(); }
  testing::ReferenceLmm lmm;
  Dispatcher dispatcher;
  lmm.bind_all(dispatcher);
  EXPECT_TRUE(serve(mine, dispatcher).ok());
  EXPECT_EQ(wait_for(client), 0);
  EXPECT_GT(dispatcher.stats().handled, 10u);
  EXPECT_EQ(dispatcher.stats().total_rejected(), 0u);
}

}  // namespace
}  // namespace lona::ipc
