// runtime/sched: the trace of scheduling events, written as a Chrome trace (the JSON object form,
// {"traceEvents": [...]}, which chrome://tracing and Perfetto open) when the runtime stops.
//
// Turned on before the runtime starts (Runtime::set_trace, `lona --trace FILE`, LONA_TRACE):
// every run slice is a complete event on its worker's track, spawns, exits, steals, parks and
// unparks are instant events. Each worker records into a buffer of its own, so recording takes no
// lock and no atomic read-modify-write; threads that are not workers (the REPL spawning, a bound
// process ending) share one buffer under a mutex, off the workers' path. Each buffer keeps at most
// a set number of events and counts the rest as dropped, reported in the file. With tracing off
// the runtime pays one predictable branch per slice (docs/runtime.md, Tracing).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/process/process.hpp"
#include "runtime/term/term.hpp"

namespace lona {

struct TraceOptions {
  std::string path;  // the file written when the runtime stops; empty: no tracing
  // Per buffer (each worker's, and the other threads' one): 1M events of 48 bytes, ~48 MiB.
  size_t max_events = size_t{1} << 20;
};

enum class TraceEventKind : uint8_t { kSlice, kSpawn, kExit, kSteal, kPark, kUnpark };

struct TraceEvent {
  uint64_t start_ns = 0;     // since the trace started
  uint64_t duration_ns = 0;  // kSlice
  uint64_t process = 0;      // local pid: kSlice, kSpawn, kExit, kSteal
  // kSlice: reductions used; kSteal: the worker stolen from; kExit: the reason (the raw word of a
  // keyword, else 0); kSpawn: 1 for a bound process (a thread of its own)
  uint64_t detail = 0;
  // kSlice: how it ended (RunStatus); kExit: for a reason [kind detail ...], the raw word of
  // detail when it is a keyword ([:error :badarith ...] gives "error :badarith")
  uint64_t detail2 = 0;
  TraceEventKind kind = TraceEventKind::kSlice;
};

// One thread's events, in the order recorded, in chunks: a full chunk is never copied, so that
// recording never stalls a worker for a reallocation of megabytes. Only that thread touches it
// until the trace is written.
class TraceBuffer {
 public:
  static constexpr size_t kChunkEvents = 4096;

  explicit TraceBuffer(size_t max_events) : max_events_(max_events) {}
  void record(const TraceEvent& e) {
    if (in_last_ < last_limit_) [[likely]] {
      chunks_.back()[in_last_++] = e;
    } else {
      record_in_new_chunk(e);
    }
  }
  size_t size() const {
    return chunks_.empty() ? 0 : (chunks_.size() - 1) * kChunkEvents + in_last_;
  }
  uint64_t dropped() const { return dropped_; }
  template <typename F>
  void for_each(F&& f) const {
    for (size_t c = 0; c < chunks_.size(); ++c) {
      size_t n = c + 1 == chunks_.size() ? in_last_ : kChunkEvents;
      for (size_t i = 0; i < n; ++i) f(chunks_[c][i]);
    }
  }

 private:
  void record_in_new_chunk(const TraceEvent& e);

  size_t max_events_;
  std::vector<std::unique_ptr<TraceEvent[]>> chunks_;  // all full but the last
  size_t in_last_ = 0;                                 // events in the last chunk
  size_t last_limit_ = 0;  // what the last chunk may hold: kChunkEvents, or less at max_events_
  uint64_t dropped_ = 0;
};

class Tracer {
 public:
  Tracer(TraceOptions options, unsigned workers, uint64_t realm);
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // Nanoseconds on the monotonic clock since the tracer was made (the runtime's start).
  uint64_t now_ns() const {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - start_)
                                     .count());
  }

  // Worker i's buffer, for worker i's thread only.
  TraceBuffer& worker(unsigned i) { return workers_[i]; }
  // For threads that are not workers: under a lock; dropped once the trace is written.
  void record_other(const TraceEvent& e);

  // The event of an exit with `reason` (a term of the exiting process's heap).
  static TraceEvent exit_event(uint64_t now_ns, uint64_t process, Term reason);

  // Writes the file, once every worker has stopped. False with *error set when it cannot.
  bool write(std::string* error);
  const std::string& path() const { return options_.path; }

 private:
  TraceOptions options_;
  uint64_t realm_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::vector<TraceBuffer> workers_;
  std::mutex other_mutex_;
  TraceBuffer other_;     // guarded by other_mutex_
  bool written_ = false;  // guarded by other_mutex_
};

}  // namespace lona
