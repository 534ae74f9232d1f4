// vm/realm: the LmmLink.
#include "vm/realm/lmm_link.hpp"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "ipc/envelope.hpp"

namespace lona::realm {
namespace {

std::atomic<LmmLink*> the_link{nullptr};

}  // namespace

LmmLink::LmmLink(ipc::SocketChannel socket) : socket_(std::move(socket)) {}

// The link lives as long as the realm's OS process: workers may send through it until exit.
LmmLink::~LmmLink() = default;

LmmLink* LmmLink::current() { return the_link.load(std::memory_order_acquire); }

absl::StatusOr<LmmLink*> LmmLink::connect(int fd, absl::Duration wait) {
  std::unique_ptr<LmmLink> link(new LmmLink(ipc::SocketChannel(ipc::UniqueFd(fd))));
  // No I/O thread yet: this first call reads its reply itself.
  ipc::RpcClient boot_rpc(link->socket_, wait);
  ipc::BootClient boot(boot_rpc);
  ipc::BootInfoRequestT request;
  request.vm_version = "lona-vm 0.1.0";
  absl::StatusOr<ipc::Reply<ipc::BootInfoT>> info = boot.GetBootInfo(request);
  if (!info.ok()) return info.status();
  link->boot_ = std::move(info->value);
  if (!link->boot_.realm || link->boot_.realm->value() == 0) {
    return absl::DataLossError("the boot info names no realm");
  }
  the_link.store(link.get(), std::memory_order_release);
  return link.release();
}

void LmmLink::start(ipc::InboxService& inbox, ipc::NotificationsService& notifications,
                    std::function<void()> on_close) {
  ipc::Dispatcher dispatcher;
  inbox.bind(dispatcher);
  notifications.bind(dispatcher);
  reader_ = std::thread(&LmmLink::read_loop, this, std::move(dispatcher), std::move(on_close));
  reader_.detach();
}

absl::Status LmmLink::send_raw(std::span<const std::uint8_t> bytes, std::span<const int> fds) {
  std::lock_guard<std::mutex> lock(send_mutex_);
  return socket_.send(bytes, fds);
}

void LmmLink::read_loop(ipc::Dispatcher dispatcher, const std::function<void()>& on_close) {
  ipc::Message message;
  ipc::Message reply;
  for (;;) {
    absl::Status received = socket_.receive(message, absl::InfiniteDuration());
    bool answer = false;
    if (absl::IsResourceExhausted(received)) {
      dispatcher.reject_dropped(received, reply);
      answer = true;
    } else if (!received.ok()) {
      break;
    } else {
      ipc::RejectedMessage why{};
      const ipc::Envelope* envelope = ipc::verify_envelope(message.bytes(), why);
      if (envelope == nullptr) {
        answer = dispatcher.handle(message, reply);  // answers and counts the rejection
      } else if (ipc::InboxCalls::contains(envelope->method()) ||
                 ipc::NotificationsCalls::contains(envelope->method())) {
        answer = dispatcher.handle(*envelope, message, reply);
      } else {
        // A call of the LMM's services: the reply to a call of this realm's.
        std::lock_guard<std::mutex> lock(reply_mutex_);
        replies_.push_back(std::move(message));
        reply_ready_.notify_all();
        continue;
      }
    }
    if (answer && !reply_channel_.send(reply).ok()) break;
  }
  {
    std::lock_guard<std::mutex> lock(reply_mutex_);
    closed_ = true;
    reply_ready_.notify_all();
  }
  if (on_close) on_close();
}

absl::Status LmmLink::ReplyChannel::send(std::span<const std::uint8_t> bytes,
                                         std::span<const int> fds) {
  return link_.send_raw(bytes, fds);
}

absl::Status LmmLink::ReplyChannel::receive(ipc::Message& into, absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(link_.reply_mutex_);
  absl::Time deadline =
      timeout == absl::InfiniteDuration() ? absl::InfiniteFuture() : absl::Now() + timeout;
  while (link_.replies_.empty() && !link_.closed_) {
    if (deadline == absl::InfiniteFuture()) {
      link_.reply_ready_.wait(lock);
    } else if (link_.reply_ready_.wait_for(lock,
                                           absl::ToChronoNanoseconds(deadline - absl::Now())) ==
                   std::cv_status::timeout &&
               link_.replies_.empty()) {
      return absl::DeadlineExceededError("no reply from the LMM within the timeout");
    }
  }
  if (link_.replies_.empty()) return absl::UnavailableError("the LMM has closed the connection");
  into = std::move(link_.replies_.front());
  link_.replies_.pop_front();
  return absl::OkStatus();
}

}  // namespace lona::realm
