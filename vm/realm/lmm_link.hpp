// vm/realm: a realm's connection to the LMM. One socket (fd 3) carries both ways: the calls the
// realm makes (memory, realms, spawns and sends to other realms) and what the LMM brings it
// (messages, spawns and signals from other realms, notifications). An I/O thread reads the
// socket: replies go to the thread whose call waits for them, everything else to the realm's
// Inbox and Notifications services. Calls may come from any thread (a worker running a
// process, the REPL): they are made one at a time, each blocking its thread for the round trip.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "idl/lona_services.hpp"
#include "ipc/socket_channel.hpp"

namespace lona::realm {

class LmmLink {
 public:
  /// Connects over `fd` (the socket the LMM gave the realm) and asks who the realm is, waiting
  /// for the answer at most `wait` (a spare waits until the LMM makes it a realm). The link
  /// lives until the OS process ends (workers may send through it until the last moment).
  static absl::StatusOr<LmmLink*> connect(int fd, absl::Duration wait);
  ~LmmLink();
  LmmLink(const LmmLink&) = delete;
  LmmLink& operator=(const LmmLink&) = delete;

  /// The realm's link, once connected; nullptr in a standalone VM.
  static LmmLink* current();

  const ipc::BootInfoT& boot() const { return boot_; }
  std::uint64_t realm() const { return boot_.realm ? boot_.realm->value() : 0; }
  std::uint64_t parent() const { return boot_.parent ? boot_.parent->value() : 0; }

  /// Starts the I/O thread, which hands what the LMM sends to these services (they must live
  /// as long as the link). `on_close` runs on that thread when the LMM closes the connection.
  void start(ipc::InboxService& inbox, ipc::NotificationsService& notifications,
             std::function<void()> on_close);

  /// The typed clients of the calls the realm makes. `with_calls(f)` runs f(clients) with the
  /// calls to itself: f makes its calls and reads their replies before it returns.
  struct Clients {
    ipc::MemoryClient memory;
    ipc::RealmsClient realms;
    ipc::MessagingClient messaging;
  };
  template <typename F>
  auto with_calls(F&& f) {
    std::lock_guard<std::mutex> lock(call_mutex_);
    return f(calls_);
  }
  /// The same for one-way sends, which never wait behind a call.
  template <typename F>
  auto with_sends(F&& f) {
    std::lock_guard<std::mutex> lock(send_client_mutex_);
    return f(sends_);
  }

 private:
  /// The channel the RpcClients see: sends go out on the socket; receives wait for the replies
  /// the I/O thread routes here.
  class ReplyChannel final : public ipc::Channel {
   public:
    explicit ReplyChannel(LmmLink& link) : link_(link) {}
    absl::Status send(std::span<const std::uint8_t> bytes, std::span<const int> fds) override;
    using Channel::send;
    absl::Status receive(ipc::Message& into, absl::Duration timeout) override;

   private:
    LmmLink& link_;
  };

  explicit LmmLink(ipc::SocketChannel socket);
  void read_loop(ipc::Dispatcher dispatcher, const std::function<void()>& on_close);
  absl::Status send_raw(std::span<const std::uint8_t> bytes, std::span<const int> fds);

  ipc::SocketChannel socket_;
  ipc::BootInfoT boot_;
  std::mutex send_mutex_;  // one sendmsg at a time on the socket

  ReplyChannel reply_channel_{*this};
  std::mutex reply_mutex_;
  std::condition_variable reply_ready_;
  std::deque<ipc::Message> replies_;
  bool closed_ = false;

  std::mutex call_mutex_;
  ipc::RpcClient call_rpc_{reply_channel_};
  Clients calls_{ipc::MemoryClient(call_rpc_), ipc::RealmsClient(call_rpc_),
                 ipc::MessagingClient(call_rpc_)};
  std::mutex send_client_mutex_;
  ipc::RpcClient send_rpc_{reply_channel_};
  Clients sends_{ipc::MemoryClient(send_rpc_), ipc::RealmsClient(send_rpc_),
                 ipc::MessagingClient(send_rpc_)};

  std::thread reader_;
};

}  // namespace lona::realm
