// lmm: the rate limit on what a realm asks of the LMM. Each realm has a bucket of tokens that
// refills at a steady rate up to a burst; every message it sends takes one (a malformed one
// takes more). A realm whose bucket is empty is not read until it refills, so a flood slows
// the flooder down (its sends block) without losing its messages or holding up anyone else.
#pragma once

#include <algorithm>
#include <cstdint>

#include "absl/time/time.h"

namespace lona::lmm {

/// How fast realms may send, for every realm alike.
struct RateLimit {
  /// Tokens per second.
  double rate = 200'000;
  /// Most tokens a bucket holds: the largest burst a realm may send at once.
  double burst = 20'000;
  /// A realm that has been held up this long without a pause is suspended (SIGSTOP) until its
  /// parent resumes it.
  absl::Duration suspend_after = absl::Seconds(2);
  /// What a malformed message costs, in tokens.
  double malformed_cost = 100;
};

class TokenBucket {
 public:
  TokenBucket() = default;
  TokenBucket(const RateLimit& limit, absl::Time now) : tokens_(limit.burst), last_(now) {}

  /// Takes `cost` tokens if there are that many (after refilling up to `now`).
  bool take(const RateLimit& limit, absl::Time now, double cost = 1) {
    refill(limit, now);
    if (tokens_ < cost) return false;
    tokens_ -= cost;
    return true;
  }
  /// Takes `cost` tokens even if that leaves the bucket in debt (a malformed message is
  /// charged after it was read).
  void charge(const RateLimit& limit, absl::Time now, double cost) {
    refill(limit, now);
    tokens_ -= cost;
  }
  /// When the bucket will hold `cost` tokens again.
  absl::Time ready_at(const RateLimit& limit, double cost = 1) const {
    if (tokens_ >= cost) return last_;
    return last_ + absl::Seconds((cost - tokens_) / limit.rate);
  }

 private:
  void refill(const RateLimit& limit, absl::Time now) {
    if (now <= last_) return;
    tokens_ = std::min(limit.burst, tokens_ + absl::ToDoubleSeconds(now - last_) * limit.rate);
    last_ = now;
  }

  double tokens_ = 0;
  absl::Time last_ = absl::InfinitePast();
};

}  // namespace lona::lmm
