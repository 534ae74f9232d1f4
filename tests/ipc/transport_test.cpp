// tests/ipc: both transports behind Channel: bytes and fds arrive as sent, limits hold, a
// timeout and a closed end are told apart.
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ipc/in_process_channel.hpp"
#include "ipc/limits.hpp"
#include "ipc/socket_channel.hpp"

namespace lona::ipc {
namespace {

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string text_of(const Message& message) {
  return {reinterpret_cast<const char*>(message.bytes().data()), message.size()};
}

UniqueFd memfd_with(const std::string& text) {
  UniqueFd fd(::memfd_create("transport-test", MFD_CLOEXEC));
  EXPECT_EQ(::write(fd.get(), text.data(), text.size()), static_cast<ssize_t>(text.size()));
  return fd;
}

std::string read_all(int fd) {
  char buffer[64] = {};
  ssize_t n = ::pread(fd, buffer, sizeof(buffer), 0);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

template <typename T>
struct Pair;
template <>
struct Pair<SocketChannel> {
  static std::pair<SocketChannel, SocketChannel> make() { return *SocketChannel::pair(); }
};
template <>
struct Pair<InProcessChannel> {
  static std::pair<InProcessChannel, InProcessChannel> make() { return InProcessChannel::pair(); }
};

template <typename T>
class TransportTest : public ::testing::Test {};
using Transports = ::testing::Types<SocketChannel, InProcessChannel>;
TYPED_TEST_SUITE(TransportTest, Transports);

TYPED_TEST(TransportTest, MessagesArriveWholeAndInOrderBothWays) {
  auto [a, b] = Pair<TypeParam>::make();
  ASSERT_TRUE(a.send(bytes_of("first")).ok());
  ASSERT_TRUE(a.send(bytes_of("second message")).ok());
  ASSERT_TRUE(b.send(bytes_of("back")).ok());
  Message got;
  ASSERT_TRUE(b.receive(got, absl::Seconds(5)).ok());
  EXPECT_EQ(text_of(got), "first");
  ASSERT_TRUE(b.receive(got, absl::Seconds(5)).ok());
  EXPECT_EQ(text_of(got), "second message");
  ASSERT_TRUE(a.receive(got, absl::Seconds(5)).ok());
  EXPECT_EQ(text_of(got), "back");
}

TYPED_TEST(TransportTest, FdsTravelBesideTheMessageAndStayOpenAtTheSender) {
  auto [a, b] = Pair<TypeParam>::make();
  UniqueFd one = memfd_with("grant one");
  UniqueFd two = memfd_with("grant two");
  int fds[] = {one.get(), two.get()};
  ASSERT_TRUE(a.send(bytes_of("with fds"), fds).ok());
  Message got;
  ASSERT_TRUE(b.receive(got, absl::Seconds(5)).ok());
  ASSERT_EQ(got.fds().size(), 2u);
  EXPECT_NE(got.fds()[0].get(), one.get());
  EXPECT_EQ(read_all(got.fds()[0].get()), "grant one");
  EXPECT_EQ(read_all(got.fds()[1].get()), "grant two");
  EXPECT_EQ(read_all(one.get()), "grant one");  // the sender's own fd is still open
}

TYPED_TEST(TransportTest, SendRefusesWhatIsOutOfBounds) {
  auto [a, b] = Pair<TypeParam>::make();
  EXPECT_EQ(a.send(bytes_of("")).code(), absl::StatusCode::kInvalidArgument);
  std::string big(kMaxMessageBytes + 1, 'x');
  EXPECT_EQ(a.send(bytes_of(big)).code(), absl::StatusCode::kInvalidArgument);
  std::vector<int> many(kMaxMessageFds + 1, 0);
  EXPECT_EQ(a.send(bytes_of("x"), many).code(), absl::StatusCode::kInvalidArgument);
  std::string largest(kMaxMessageBytes, 'y');
  ASSERT_TRUE(a.send(bytes_of(largest)).ok());
  Message got;
  ASSERT_TRUE(b.receive(got, absl::Seconds(5)).ok());
  EXPECT_EQ(got.size(), kMaxMessageBytes);
}

TYPED_TEST(TransportTest, ATimeoutIsNotAClosedEnd) {
  auto [a, b] = Pair<TypeParam>::make();
  Message got;
  EXPECT_EQ(b.receive(got, absl::Milliseconds(20)).code(), absl::StatusCode::kDeadlineExceeded);
  { auto gone = std::move(a); }
  EXPECT_EQ(b.receive(got, absl::Seconds(5)).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(b.send(bytes_of("anyone?")).code(), absl::StatusCode::kUnavailable);
}

// A peer that does not use SocketChannel can send more than the limits: the receiver drops the
// message, closes its fds, and goes on with the next one.
TEST(SocketChannelTest, AMessageOverTheLimitsIsDroppedWithItsFds) {
  int raw[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, raw), 0);
  UniqueFd sender(raw[0]);
  SocketChannel receiver{UniqueFd(raw[1])};
  std::string big(kMaxMessageBytes + 100, 'z');
  ASSERT_EQ(::send(sender.get(), big.data(), big.size(), 0), static_cast<ssize_t>(big.size()));
  ASSERT_EQ(::send(sender.get(), "next", 4, 0), 4);
  Message got;
  EXPECT_EQ(receiver.receive(got, absl::Seconds(5)).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(got.fds().empty());
  ASSERT_TRUE(receiver.receive(got, absl::Seconds(5)).ok());
  EXPECT_EQ(text_of(got), "next");
}

}  // namespace
}  // namespace lona::ipc
