// tests/ipc: the generated clients and services through a Dispatcher, in process; and every kind
// of bad input a peer can send: each is answered with an Error and counted, and the dispatcher
// goes on serving.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "idl/lona_services.hpp"
#include "ipc/in_process_channel.hpp"
#include "ipc/limits.hpp"
#include "ipc/socket_channel.hpp"
#include "tests/ipc/reference_services.hpp"

namespace lona::ipc {
namespace {

using testing::ReferenceLmm;

// A valid Memory.Allocate request, as bytes, with the envelope fields given.
std::vector<std::uint8_t> allocate_request(std::uint64_t request_id = 7,
                                           std::uint32_t method = MemoryCalls::Allocate.method,
                                           Body body_type = Body_AllocateRequest,
                                           std::uint16_t version = kProtocolVersion) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateAllocateRequest(builder, RegionType_Heap, 4096);
  EnvelopeBuilder envelope(builder);
  envelope.add_version(version);
  envelope.add_request_id(request_id);
  envelope.add_method(method);
  envelope.add_body_type(body_type);
  envelope.add_body(body.Union());
  FinishEnvelopeBuffer(builder, envelope.Finish());
  return {builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize()};
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() { lmm_.bind_all(dispatcher_); }

  // Hands `bytes` to the dispatcher; expects an Error reply with `code` and `request_id`, and
  // the counter of `rejection` one up.
  void expect_rejected(const std::vector<std::uint8_t>& bytes, Rejection rejection,
                       absl::StatusCode code, std::uint64_t request_id) {
    auto before = dispatcher_.stats().rejected[static_cast<std::size_t>(rejection)];
    Message request;
    request.assign(bytes);
    Message reply;
    ASSERT_TRUE(dispatcher_.handle(request, reply));
    RejectedMessage why{};
    const Envelope* envelope = verify_envelope(reply.bytes(), why);
    ASSERT_NE(envelope, nullptr) << why.status;
    ASSERT_EQ(envelope->body_type(), Body_Error);
    EXPECT_EQ(static_cast<absl::StatusCode>(envelope->body_as_Error()->code()), code)
        << envelope->body_as_Error()->message()->str();
    EXPECT_EQ(envelope->request_id(), request_id);
    EXPECT_EQ(dispatcher_.stats().rejected[static_cast<std::size_t>(rejection)], before + 1)
        << rejection_name(rejection);
  }

  // A valid call still works: nothing a bad message did stayed behind. (Control.Stats of the
  // init realm: random messages may have used the memory quota up, never the init realm.)
  void expect_still_serving() {
    flatbuffers::FlatBufferBuilder builder;
    RealmId init(1);
    auto body = CreateRealmRequest(builder, &init);
    finish_envelope(builder, 99, ControlCalls::Stats.method, Body_RealmRequest, body.Union());
    Message request;
    request.assign({builder.GetBufferPointer(), builder.GetSize()});
    Message reply;
    ASSERT_TRUE(dispatcher_.handle(request, reply));
    RejectedMessage why{};
    const Envelope* envelope = verify_envelope(reply.bytes(), why);
    ASSERT_NE(envelope, nullptr);
    EXPECT_EQ(envelope->request_id(), 99u);
    ASSERT_EQ(envelope->body_type(), Body_RealmStats);
    EXPECT_EQ(envelope->body_as_RealmStats()->realm()->value(), 1u);
  }

  ReferenceLmm lmm_;
  Dispatcher dispatcher_;
};

TEST_F(DispatcherTest, GeneratedClientsTalkToGeneratedServicesInProcess) {
  auto [client_end, server_end] = InProcessChannel::pair();
  std::thread server([&, channel = std::move(server_end)]() mutable {
    EXPECT_TRUE(serve(channel, dispatcher_).ok());
  });
  {
    RpcClient rpc(client_end);
    MemoryClient memory(rpc);
    AllocateRequestT request;
    request.size = 5000;
    auto grant = memory.Allocate(request);
    ASSERT_TRUE(grant.ok()) << grant.status();
    EXPECT_EQ((*grant)->size, 8192u);
    EXPECT_EQ(grant->fds.size(), 1u);
    request.size = 0;
    auto refused = memory.Allocate(request);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(refused.status().message().find("Memory.Allocate: cannot grant 0 bytes"),
              std::string::npos)
        << refused.status();
  }
  { auto closing = std::move(client_end); }
  server.join();
  EXPECT_EQ(dispatcher_.stats().handled, 2u);
  EXPECT_EQ(dispatcher_.stats().failed, 1u);
  EXPECT_EQ(lmm_.held_bytes(), 8192u);
}

TEST_F(DispatcherTest, TruncatedMessages) {
  auto bytes = allocate_request();
  expect_rejected({bytes.begin(), bytes.begin() + 6}, Rejection::kTruncated,
                  absl::StatusCode::kInvalidArgument, 0);
  expect_rejected({bytes.begin(), bytes.begin() + bytes.size() / 2}, Rejection::kMalformed,
                  absl::StatusCode::kInvalidArgument, 0);
  expect_still_serving();
}

TEST_F(DispatcherTest, AnOffsetOutOfBoundsOrMisaligned) {
  auto bytes = allocate_request();
  auto out_of_bounds = bytes;
  flatbuffers::WriteScalar<flatbuffers::uoffset_t>(out_of_bounds.data(), 1u << 20);
  expect_rejected(out_of_bounds, Rejection::kMalformed, absl::StatusCode::kInvalidArgument, 0);
  auto misaligned = bytes;
  flatbuffers::WriteScalar<flatbuffers::uoffset_t>(
      misaligned.data(), flatbuffers::ReadScalar<flatbuffers::uoffset_t>(bytes.data()) + 1);
  expect_rejected(misaligned, Rejection::kMalformed, absl::StatusCode::kInvalidArgument, 0);
  expect_still_serving();
}

// Thousands of references to one table: a small buffer that would make a reader walk far more
// than it holds. The Verifier's table limit stops it.
TEST_F(DispatcherTest, ABufferThatReferencesOneTableThousandsOfTimes) {
  flatbuffers::FlatBufferBuilder builder;
  auto name = builder.CreateString("x");
  RealmInfoBuilder info(builder);
  info.add_name(name);
  auto one = info.Finish();
  std::vector<flatbuffers::Offset<RealmInfo>> many(kMaxTables + 10, one);
  auto list = CreateRealmInfoList(builder, builder.CreateVector(many));
  EnvelopeBuilder envelope(builder);
  envelope.add_request_id(5);
  envelope.add_method(ControlCalls::ListRealms.method);
  envelope.add_body_type(Body_RealmInfoList);
  envelope.add_body(list.Union());
  FinishEnvelopeBuffer(builder, envelope.Finish());
  expect_rejected({builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize()},
                  Rejection::kMalformed, absl::StatusCode::kInvalidArgument, 0);
  expect_still_serving();
}

TEST_F(DispatcherTest, WrongIdentifierVersionMethodOrBody) {
  auto bad_identifier = allocate_request();
  bad_identifier[4] = 'X';
  expect_rejected(bad_identifier, Rejection::kBadIdentifier, absl::StatusCode::kInvalidArgument, 0);
  expect_rejected(allocate_request(8, MemoryCalls::Allocate.method, Body_AllocateRequest, 2),
                  Rejection::kWrongVersion, absl::StatusCode::kFailedPrecondition, 0);
  expect_rejected(allocate_request(9, 12345), Rejection::kUnknownMethod,
                  absl::StatusCode::kUnimplemented, 9);
  expect_rejected(allocate_request(10, MemoryCalls::Allocate.method, Body_FreeRequest),
                  Rejection::kWrongBody, absl::StatusCode::kInvalidArgument, 10);
  // A union tag this end does not know: the Verifier lets unknown members through (for
  // evolution), the dispatcher does not.
  expect_rejected(allocate_request(11, MemoryCalls::Allocate.method, static_cast<Body>(200)),
                  Rejection::kWrongBody, absl::StatusCode::kInvalidArgument, 11);
  // The right union tag and no table (found by dispatcher_fuzz).
  flatbuffers::FlatBufferBuilder builder;
  EnvelopeBuilder envelope(builder);
  envelope.add_request_id(12);
  envelope.add_method(MemoryCalls::Allocate.method);
  envelope.add_body_type(Body_AllocateRequest);
  FinishEnvelopeBuffer(builder, envelope.Finish());
  expect_rejected({builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize()},
                  Rejection::kWrongBody, absl::StatusCode::kInvalidArgument, 12);
  expect_still_serving();
}

TEST_F(DispatcherTest, RandomBuffersAreAllAnsweredWithErrors) {
  std::mt19937 random(20261122);
  auto valid = allocate_request();
  constexpr int kBuffers = 20000;
  for (int i = 0; i < kBuffers; ++i) {
    std::vector<std::uint8_t> bytes;
    if (i % 2 == 0) {
      bytes.resize(random() % 300);
      for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random());
    } else {
      // A valid message with a few bytes flipped: gets past the cheap checks more often.
      bytes = valid;
      for (int flips = 1 + static_cast<int>(random() % 4); flips > 0; --flips) {
        bytes[random() % bytes.size()] ^= static_cast<std::uint8_t>(1 + random() % 255);
      }
    }
    Message request;
    request.assign(bytes);
    Message reply;
    if (!dispatcher_.handle(request, reply)) continue;
    RejectedMessage why{};
    ASSERT_NE(verify_envelope(reply.bytes(), why), nullptr) << "reply to buffer " << i;
  }
  const DispatchStats& stats = dispatcher_.stats();
  EXPECT_EQ(stats.total_rejected() + stats.handled, static_cast<std::uint64_t>(kBuffers));
  EXPECT_GT(stats.total_rejected(), static_cast<std::uint64_t>(kBuffers / 2));
  expect_still_serving();
}

TEST_F(DispatcherTest, AMessageTheTransportDroppedIsAnsweredAndCounted) {
  auto [client, server] = *SocketChannel::pair();
  std::string big(kMaxMessageBytes + 1, 'b');
  ASSERT_EQ(::send(client.fd(), big.data(), big.size(), 0), static_cast<ssize_t>(big.size()));
  Message request;
  Message reply;
  ASSERT_TRUE(serve_one(server, dispatcher_, absl::Seconds(5), request, reply).ok());
  EXPECT_EQ(dispatcher_.stats().rejected[static_cast<std::size_t>(Rejection::kOversized)], 1u);
  Message answer;
  ASSERT_TRUE(client.receive(answer, absl::Seconds(5)).ok());
  RejectedMessage why{};
  const Envelope* envelope = verify_envelope(answer.bytes(), why);
  ASSERT_NE(envelope, nullptr);
  EXPECT_EQ(envelope->body_type(), Body_Error);
  EXPECT_EQ(envelope->body_as_Error()->code(), ErrorCode_ResourceExhausted);
}

// The realm's side: one-way notifications from the LMM get no reply.
class RecordingRealm final : public NotificationsService {
 public:
  absl::Status RealmDown(CallContext&, const ::lona::ipc::RealmDown& notice) override {
    downs.push_back(notice.realm()->value());
    if (notice.reason() == DownReason_Crashed) return absl::InvalidArgumentError("refused");
    return absl::OkStatus();
  }
  absl::Status OutOfMemory(CallContext&, const ::lona::ipc::OutOfMemory&) override {
    return absl::OkStatus();
  }
  absl::Status RateLimitExceeded(CallContext&, const ::lona::ipc::RateLimitExceeded&) override {
    return absl::OkStatus();
  }
  std::vector<std::uint64_t> downs;
};

TEST(OneWayTest, NotificationsAreHandledAndNotAnswered) {
  auto [lmm_end, realm_end] = InProcessChannel::pair();
  RpcClient lmm(lmm_end);
  NotificationsClient notify(lmm);
  RealmDownT down;
  down.realm = std::make_unique<RealmId>(4);
  down.reason = DownReason_Normal;
  ASSERT_TRUE(notify.RealmDown(down).ok());

  RecordingRealm realm;
  Dispatcher dispatcher;
  realm.bind(dispatcher);
  Message request;
  Message reply;
  ASSERT_TRUE(serve_one(realm_end, dispatcher, absl::Seconds(5), request, reply).ok());
  EXPECT_EQ(realm.downs, std::vector<std::uint64_t>{4});
  Message nothing;
  EXPECT_EQ(lmm_end.receive(nothing, absl::Milliseconds(20)).code(),
            absl::StatusCode::kDeadlineExceeded);

  // A handler that fails answers even a one-way call: the sender learns what went wrong.
  down.reason = DownReason_Crashed;
  ASSERT_TRUE(notify.RealmDown(down).ok());
  ASSERT_TRUE(serve_one(realm_end, dispatcher, absl::Seconds(5), request, reply).ok());
  ASSERT_TRUE(lmm_end.receive(nothing, absl::Seconds(5)).ok());
  RejectedMessage why{};
  const Envelope* envelope = verify_envelope(nothing.bytes(), why);
  ASSERT_NE(envelope, nullptr);
  EXPECT_EQ(envelope->body_type(), Body_Error);
  EXPECT_EQ(dispatcher.stats().handled, 2u);
  EXPECT_EQ(dispatcher.stats().failed, 1u);
}

// What a client does with what comes back: a notification before the reply is kept, a late
// reply of an earlier call is skipped, a reply that is not the call's type is an error.
TEST(RpcClientTest, KeepsNotificationsSkipsStaleRepliesAndChecksTheReplyType) {
  auto ends = InProcessChannel::pair();
  InProcessChannel& client_end = ends.first;
  InProcessChannel& server_end = ends.second;
  flatbuffers::FlatBufferBuilder builder;
  auto send = [&](std::uint64_t id, Body type, flatbuffers::Offset<void> body) {
    finish_envelope(builder, id, 0, type, body);
    ASSERT_TRUE(server_end.send({builder.GetBufferPointer(), builder.GetSize()}).ok());
    builder.Clear();
  };
  send(0, Body_OutOfMemory, CreateOutOfMemory(builder, nullptr, 1, 2, 3).Union());
  send(77, Body_FreeReply, CreateFreeReply(builder, 1).Union());
  send(1, Body_FreeReply, CreateFreeReply(builder, 4096).Union());
  send(2, Body_AllocateReply, CreateAllocateReply(builder).Union());  // wrong type for Free

  RpcClient rpc(client_end);
  MemoryClient memory(rpc);
  auto freed = memory.Free(FreeRequestT{});
  ASSERT_TRUE(freed.ok()) << freed.status();
  EXPECT_EQ((*freed)->freed_bytes, 4096u);
  EXPECT_EQ(rpc.unsolicited().size(), 1u);
  EXPECT_EQ(rpc.stale_replies(), 1u);
  auto wrong = memory.Free(FreeRequestT{});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kDataLoss) << wrong.status();
  auto nothing = memory.Free(FreeRequestT{}, CallOptions{absl::Milliseconds(20), {}});
  EXPECT_EQ(nothing.status().code(), absl::StatusCode::kDeadlineExceeded) << nothing.status();
}

// What a client does when what comes back is not a reply it can use, or nothing can come.
TEST(RpcClientTest, AMalformedReplyAReplyWithoutBodyAndAClosedEndAreErrors) {
  auto ends = InProcessChannel::pair();
  InProcessChannel& client_end = ends.first;
  InProcessChannel& server_end = ends.second;
  RpcClient rpc(client_end);
  MemoryClient memory(rpc);

  auto request = allocate_request(1, MemoryCalls::Free.method, Body_FreeReply);
  request[4] = 'X';  // not tagged LONA
  ASSERT_TRUE(server_end.send(request).ok());
  auto malformed = memory.Free(FreeRequestT{});
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kDataLoss) << malformed.status();
  EXPECT_NE(malformed.status().message().find("Memory.Free: the reply was rejected"),
            std::string::npos)
      << malformed.status();

  flatbuffers::FlatBufferBuilder builder;
  finish_envelope(builder, 2, MemoryCalls::Free.method, Body_FreeReply, 0);
  ASSERT_TRUE(server_end.send({builder.GetBufferPointer(), builder.GetSize()}).ok());
  auto empty = memory.Free(FreeRequestT{});
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kDataLoss) << empty.status();
  EXPECT_NE(empty.status().message().find("no body"), std::string::npos) << empty.status();

  // The other end takes the request and goes away while the client waits for the reply; then
  // the next call cannot even be sent.
  std::thread closer([end = std::move(server_end)]() mutable {
    Message taken;
    EXPECT_TRUE(end.receive(taken, absl::Seconds(5)).ok());
  });
  auto closed = memory.Free(FreeRequestT{});
  closer.join();
  EXPECT_EQ(closed.status().code(), absl::StatusCode::kUnavailable) << closed.status();
  EXPECT_NE(closed.status().message().find("Memory.Free"), std::string::npos) << closed.status();
  auto unsent = memory.Free(FreeRequestT{});
  EXPECT_EQ(unsent.status().code(), absl::StatusCode::kUnavailable) << unsent.status();
}

// A handler sees the connection it serves (a realm is its socket), and the fds that came with a
// request are closed once it is handled unless the handler took them.
TEST(DispatcherContextTest, HandlersSeeThePeerAndUntakenFdsAreClosed) {
  ReferenceLmm lmm;
  Dispatcher dispatcher(7);
  lmm.bind_all(dispatcher);
  flatbuffers::FlatBufferBuilder builder;
  finish_envelope(builder, 3, BootCalls::GetBootInfo.method, Body_BootInfoRequest,
                  CreateBootInfoRequest(builder).Union());
  Message request;
  request.assign({builder.GetBufferPointer(), builder.GetSize()});
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  UniqueFd write_end(pipe_fds[1]);
  request.fds().emplace_back(pipe_fds[0]);
  Message reply;
  ASSERT_TRUE(dispatcher.handle(request, reply));
  RejectedMessage why{};
  const Envelope* envelope = verify_envelope(reply.bytes(), why);
  ASSERT_NE(envelope, nullptr);
  ASSERT_EQ(envelope->body_type(), Body_BootInfo);
  EXPECT_EQ(envelope->body_as_BootInfo()->realm()->value(), 7u);
  // The read end went with the request: writing to the pipe now finds no reader.
  EXPECT_TRUE(request.fds().empty());
  ::signal(SIGPIPE, SIG_IGN);
  EXPECT_EQ(::write(write_end.get(), "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
}

}  // namespace
}  // namespace lona::ipc
