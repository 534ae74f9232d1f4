// lmm: the QuotaTree.
#include "lmm/quota_tree.hpp"

#include <cassert>

#include "absl/strings/str_cat.h"

namespace lona::lmm {

void QuotaTree::add_root(std::uint64_t id, std::uint64_t limit_bytes) {
  assert(accounts_.empty());
  accounts_[id] = Account{.limit_bytes = limit_bytes};
}

absl::Status QuotaTree::add_child(std::uint64_t id, std::uint64_t parent, std::uint64_t min_bytes,
                                  std::uint64_t max_bytes) {
  auto p = accounts_.find(parent);
  if (p == accounts_.end()) return absl::NotFoundError(absl::StrCat("no realm ", parent));
  std::uint64_t parent_limit = p->second.limit_bytes;
  if (max_bytes == 0) max_bytes = parent_limit;
  if (max_bytes > parent_limit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a memory maximum of ", max_bytes, " bytes is over the parent's limit of ", parent_limit));
  }
  if (min_bytes > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("a memory minimum of ", min_bytes,
                                                   " bytes is over the maximum of ", max_bytes));
  }
  // The new child's charge goes from nothing to its reservation.
  if (absl::Status fits = propagate(parent, static_cast<std::int64_t>(min_bytes), false);
      !fits.ok()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot reserve ", min_bytes, " bytes: ", fits.message()));
  }
  (void)propagate(parent, static_cast<std::int64_t>(min_bytes), true);
  accounts_[id] = Account{.parent = parent, .min_bytes = min_bytes, .limit_bytes = max_bytes};
  return absl::OkStatus();
}

absl::Status QuotaTree::propagate(std::uint64_t id, std::int64_t delta, bool apply) {
  while (id != 0 && delta != 0) {
    Account& a = accounts_.at(id);
    std::uint64_t subtree = a.subtree_bytes + static_cast<std::uint64_t>(delta);
    if (delta > 0 && (subtree > a.limit_bytes || subtree < a.subtree_bytes)) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "realm ", id, " holds ", a.subtree_bytes, " of its limit of ", a.limit_bytes, " bytes"));
    }
    std::uint64_t old_charge = charge_of(a);
    std::uint64_t new_charge = subtree > a.min_bytes ? subtree : a.min_bytes;
    if (apply) a.subtree_bytes = subtree;
    delta = static_cast<std::int64_t>(new_charge - old_charge);
    id = a.parent;
  }
  return absl::OkStatus();
}

absl::Status QuotaTree::charge(std::uint64_t id, std::uint64_t bytes) {
  if (accounts_.find(id) == accounts_.end()) {
    return absl::NotFoundError(absl::StrCat("no realm ", id));
  }
  if (bytes > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return absl::ResourceExhaustedError(absl::StrCat(bytes, " bytes is more than any limit"));
  }
  auto delta = static_cast<std::int64_t>(bytes);
  if (absl::Status fits = propagate(id, delta, false); !fits.ok()) return fits;
  (void)propagate(id, delta, true);
  accounts_[id].own_bytes += bytes;
  return absl::OkStatus();
}

void QuotaTree::release(std::uint64_t id, std::uint64_t bytes) {
  Account& a = accounts_.at(id);
  if (bytes > a.own_bytes) bytes = a.own_bytes;
  a.own_bytes -= bytes;
  (void)propagate(id, -static_cast<std::int64_t>(bytes), true);
}

void QuotaTree::remove(std::uint64_t id) {
  auto found = accounts_.find(id);
  if (found == accounts_.end()) return;
  Account a = found->second;
  accounts_.erase(found);
  if (a.parent != 0) (void)propagate(a.parent, -static_cast<std::int64_t>(charge_of(a)), true);
}

const QuotaTree::Account* QuotaTree::find(std::uint64_t id) const {
  auto found = accounts_.find(id);
  return found == accounts_.end() ? nullptr : &found->second;
}

std::string QuotaTree::audit() const {
  absl::flat_hash_map<std::uint64_t, std::uint64_t> expected;
  for (const auto& [id, a] : accounts_) {
    expected[id] += a.own_bytes;
    if (a.parent != 0) {
      if (accounts_.find(a.parent) == accounts_.end()) {
        return absl::StrCat("realm ", id, " has a parent ", a.parent, " the books do not have");
      }
      expected[a.parent] += charge_of(a);
    }
  }
  for (const auto& [id, a] : accounts_) {
    if (a.subtree_bytes != expected[id]) {
      return absl::StrCat("realm ", id, " counts ", a.subtree_bytes, " bytes for its subtree, ",
                          "whose parts hold ", expected[id]);
    }
    if (a.subtree_bytes > a.limit_bytes) {
      return absl::StrCat("realm ", id, " holds ", a.subtree_bytes, " bytes over its limit of ",
                          a.limit_bytes);
    }
  }
  return "";
}

}  // namespace lona::lmm
