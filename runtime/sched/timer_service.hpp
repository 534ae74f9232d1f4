// runtime/sched: timers on the monotonic clock, for `receive ... :after` and `sleep` in scheduled
// processes (a bound process waits with a deadline instead).
//
// One thread keeps a heap of deadlines. When a timer fires, its process gets a timeout signal in
// its mailbox, which orders it with the messages and wakes the process like one. A timer that
// is no longer wanted (the receive ended) is not cancelled: the process ignores a timeout whose
// number is not that of its current receive.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "runtime/process/process.hpp"

namespace lona {

class TimerService {
 public:
  TimerService();
  ~TimerService();  // stop() first
  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  // Sends p a timeout signal numbered `timer` at `deadline`. Retains p until then.
  void start(Process* p, uint64_t timer, Clock::time_point deadline);
  // Stops the thread; pending timers are dropped (their processes released).
  void stop();

 private:
  struct Entry {
    Clock::time_point deadline;
    uint64_t timer;
    Process* process;
    bool operator>(const Entry& o) const { return deadline > o.deadline; }
  };
  void loop();

  std::mutex mutex_;
  std::condition_variable cv_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lona
