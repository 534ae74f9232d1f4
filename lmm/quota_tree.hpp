// lmm: the hierarchical memory accounting of realms. Every realm has a limit and may reserve a
// minimum; what it holds, with what its descendants hold, counts against its own limit and
// against every ancestor's. A child's budget is carved out of its parent's: however many
// children a realm has, together they never hold more than the realm may.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"

namespace lona::lmm {

/// The memory books of the realm tree. Realms are identified by the LMM's realm ids.
class QuotaTree {
 public:
  static constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

  /// What the books say of one realm.
  struct Account {
    std::uint64_t parent = 0;
    /// Bytes reserved for it out of its parent's budget from its creation on.
    std::uint64_t min_bytes = 0;
    /// What it and its descendants may hold together.
    std::uint64_t limit_bytes = kUnlimited;
    /// Grants it holds itself.
    std::uint64_t own_bytes = 0;
    /// own_bytes plus the charge of each child.
    std::uint64_t subtree_bytes = 0;
  };

  /// The root realm (the init realm), with its limit. Call once, first.
  void add_root(std::uint64_t id, std::uint64_t limit_bytes);

  /// Adds `id` under `parent`, reserving `min_bytes` and limited to `max_bytes` (0: the parent's
  /// limit). Fails, changing nothing, when the maximum exceeds the parent's limit, the minimum
  /// exceeds the maximum, or the reservation does not fit in the budget of the parent or of an
  /// ancestor.
  absl::Status add_child(std::uint64_t id, std::uint64_t parent, std::uint64_t min_bytes,
                         std::uint64_t max_bytes);

  /// Charges `bytes` more to `id` if it and every ancestor stay within their limits; else
  /// ResourceExhausted naming the realm whose limit it would pass, and nothing changes.
  absl::Status charge(std::uint64_t id, std::uint64_t bytes);
  /// Gives back `bytes` of what `id` holds itself (at most what it holds).
  void release(std::uint64_t id, std::uint64_t bytes);

  /// Removes `id`, which must have no children; what it held and its reservation go back to
  /// its ancestors.
  void remove(std::uint64_t id);

  const Account* find(std::uint64_t id) const;
  std::size_t size() const { return accounts_.size(); }

  /// The first inconsistency in the books (a subtree total that is not its parts' sum), or
  /// the empty string. The LMM's tests check it after every kill.
  std::string audit() const;

 private:
  static std::uint64_t charge_of(const Account& a) {
    return a.subtree_bytes > a.min_bytes ? a.subtree_bytes : a.min_bytes;
  }
  /// Checks (apply false) or makes (apply true) a change of `delta` bytes to the subtree of
  /// `id`, passed on to each ancestor as the change of its child's charge.
  absl::Status propagate(std::uint64_t id, std::int64_t delta, bool apply);

  absl::flat_hash_map<std::uint64_t, Account> accounts_;
};

}  // namespace lona::lmm
