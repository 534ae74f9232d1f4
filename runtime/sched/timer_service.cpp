#include "runtime/sched/timer_service.hpp"

namespace lona {

TimerService::TimerService() : thread_([this] { loop(); }) {}

TimerService::~TimerService() { stop(); }

void TimerService::start(Process* p, uint64_t timer, Clock::time_point deadline) {
  p->retain();
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_) {
    p->release();
    return;
  }
  bool earliest = heap_.empty() || deadline < heap_.top().deadline;
  heap_.push({deadline, timer, p});
  if (earliest) cv_.notify_one();
}

void TimerService::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (heap_.empty()) {
      cv_.wait(lock);
      continue;
    }
    Entry top = heap_.top();
    if (Clock::now() < top.deadline) {
      cv_.wait_until(lock, top.deadline);
      continue;
    }
    heap_.pop();
    lock.unlock();
    Envelope* e = Envelope::make(EnvelopeKind::kTimeout, 0, Term::nil());
    e->ref = top.timer;
    top.process->deliver(e);
    top.process->release();
    lock.lock();
  }
}

void TimerService::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  while (!heap_.empty()) {
    heap_.top().process->release();
    heap_.pop();
  }
}

}  // namespace lona
