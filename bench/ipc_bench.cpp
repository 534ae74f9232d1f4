// bench/: the typed IPC. An allocate-memory call between two OS processes over the socketpair
// transport, against a raw socketpair ping-pong of the same sizes in the same binary (goal: the
// call takes at most 1.5x the raw round trip); and encode + verify + decode of one request in
// process (goal: under 200 ns).
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>

#include "benchmark/benchmark.h"
#include "idl/lona_services.hpp"
#include "ipc/limits.hpp"
#include "ipc/socket_channel.hpp"
#include "tests/ipc/reference_services.hpp"

namespace {

using namespace lona::ipc;  // NOLINT(google-build-using-namespace): a benchmark file

// The request and reply of one Memory.Allocate, as bytes: the sizes the raw ping-pong sends.
std::pair<std::size_t, std::size_t> allocate_sizes() {
  flatbuffers::FlatBufferBuilder builder;
  AllocateRequestT request;
  request.region_type = RegionType_Heap;
  request.size = 1 << 20;
  finish_envelope(builder, 1, MemoryCalls::Allocate.method, Body_AllocateRequest,
                  AllocateRequest::Pack(builder, &request).Union());
  std::size_t request_size = builder.GetSize();
  builder.Clear();
  AllocateReplyT reply;
  reply.grant = std::make_unique<GrantId>(1);
  reply.size = 1 << 20;
  finish_envelope(builder, 1, MemoryCalls::Allocate.method, Body_AllocateReply,
                  AllocateReply::Pack(builder, &reply).Union());
  return {request_size, builder.GetSize()};
}

// A child process that runs `serve` on its end, and the parent's end.
template <typename Serve>
pid_t fork_server(SocketChannel& parent_end, SocketChannel& child_end, Serve serve) {
  pid_t pid = ::fork();
  if (pid == 0) {
    { auto not_mine = parent_end.release(); }
    serve(child_end);
    ::_exit(0);
  }
  { auto not_mine = child_end.release(); }
  return pid;
}

void BM_AllocateRoundTrip(benchmark::State& state) {
  auto [mine, theirs] = *SocketChannel::pair();
  pid_t server = fork_server(mine, theirs, [](SocketChannel& channel) {
    testing::ReferenceLmm lmm(std::uint64_t{1} << 62);
    lmm.set_send_fds(false);  // the message alone, as the raw ping-pong
    Dispatcher dispatcher;
    lmm.bind_all(dispatcher);
    (void)serve(channel, dispatcher);
  });
  {
    RpcClient rpc(mine);
    MemoryClient memory(rpc);
    AllocateRequestT request;
    request.region_type = RegionType_Heap;
    request.size = 1 << 20;
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
      auto reply = memory.Allocate(request);
      if (!reply.ok()) {
        state.SkipWithError(std::string(reply.status().message()).c_str());
        break;
      }
      benchmark::DoNotOptimize(reply);
    }
  }
  { auto hang_up = mine.release(); }
  ::waitpid(server, nullptr, 0);
}
BENCHMARK(BM_AllocateRoundTrip)->UseRealTime();

void BM_RawSocketpairPingPong(benchmark::State& state) {
  auto [request_size, reply_size] = allocate_sizes();
  int fds[2];
  ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds);
  pid_t echo = ::fork();
  if (echo == 0) {
    ::close(fds[0]);
    std::string in(kMaxMessageBytes, '\0');
    std::string out(reply_size, 'r');
    while (::recv(fds[1], in.data(), in.size(), 0) > 0) ::send(fds[1], out.data(), out.size(), 0);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out(request_size, 'q');
  std::string in(kMaxMessageBytes, '\0');
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    ::send(fds[0], out.data(), out.size(), 0);
    if (::recv(fds[0], in.data(), in.size(), 0) != static_cast<ssize_t>(reply_size)) {
      state.SkipWithError("the echo process did not answer");
      break;
    }
  }
  ::close(fds[0]);
  ::waitpid(echo, nullptr, 0);
  state.counters["request_bytes"] = static_cast<double>(request_size);
  state.counters["reply_bytes"] = static_cast<double>(reply_size);
}
BENCHMARK(BM_RawSocketpairPingPong)->UseRealTime();

// What one side does with one request besides the system calls: build it (object API), verify
// it as received, and decode it back to an object.
void BM_EncodeVerifyDecode(benchmark::State& state) {
  flatbuffers::FlatBufferBuilder builder(1024);
  AllocateRequestT request;
  request.region_type = RegionType_Heap;
  request.size = 1 << 20;
  AllocateRequestT decoded;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    builder.Clear();
    finish_envelope(builder, 42, MemoryCalls::Allocate.method, Body_AllocateRequest,
                    AllocateRequest::Pack(builder, &request).Union());
    RejectedMessage why{};
    const Envelope* envelope =
        verify_envelope({builder.GetBufferPointer(), builder.GetSize()}, why);
    if (envelope == nullptr) {
      state.SkipWithError("the request does not verify");
      break;
    }
    envelope->body_as_AllocateRequest()->UnPackTo(&decoded);
    benchmark::DoNotOptimize(decoded.size);
  }
}
BENCHMARK(BM_EncodeVerifyDecode);

// Prints the results as usual, then the figures the goals are about.
class GoalReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    // With --benchmark_repetitions, the median; else the one run.
    for (const Run& run : runs) {
      if (run.error_occurred) continue;  // a skipped run gives no figure
      std::string name = run.run_name.function_name;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        median_[name] = run.GetAdjustedRealTime();
      } else if (run.run_type == Run::RT_Iteration) {
        ns_[name] = run.GetAdjustedRealTime();
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    auto find = [&](const std::string& name) {
      if (auto found = median_.find(name); found != median_.end()) return found->second;
      if (auto found = ns_.find(name); found != ns_.end()) return found->second;
      return 0.0;
    };
    double call = find("BM_AllocateRoundTrip");
    double raw = find("BM_RawSocketpairPingPong");
    double codec = find("BM_EncodeVerifyDecode");
    if (call > 0 && raw > 0) {
      std::printf("ipc: allocate round trip %.0f ns / raw ping-pong %.0f ns = %.2f (goal <= 1.5)\n",
                  call, raw, call / raw);
    }
    if (codec > 0) std::printf("ipc: encode + verify + decode %.0f ns (goal < 200)\n", codec);
  }

 private:
  std::map<std::string, double> ns_;
  std::map<std::string, double> median_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  GoalReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
