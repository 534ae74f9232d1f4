// tests/lmm: the hierarchical memory books of the realm tree.
#include "lmm/quota_tree.hpp"

#include <gtest/gtest.h>

namespace lona::lmm {
namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

TEST(QuotaTreeTest, ChargesCountAgainstEveryAncestor) {
  QuotaTree tree;
  tree.add_root(1, 100 * kMiB);
  ASSERT_TRUE(tree.add_child(2, 1, 0, 50 * kMiB).ok());
  ASSERT_TRUE(tree.add_child(3, 2, 0, 0).ok());  // 0: the parent's limit
  EXPECT_EQ(tree.find(3)->limit_bytes, 50 * kMiB);
  ASSERT_TRUE(tree.charge(3, 30 * kMiB).ok());
  EXPECT_EQ(tree.find(3)->own_bytes, 30 * kMiB);
  EXPECT_EQ(tree.find(2)->subtree_bytes, 30 * kMiB);
  EXPECT_EQ(tree.find(1)->subtree_bytes, 30 * kMiB);
  // Realm 4 may hold 25 of its own 50, but with realm 3's 30 its parent would hold 55 of 50.
  ASSERT_TRUE(tree.add_child(4, 2, 0, 0).ok());
  absl::Status over = tree.charge(4, 25 * kMiB);
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(over.message().find("realm 2"), std::string::npos) << over;
  EXPECT_EQ(tree.find(1)->subtree_bytes, 30 * kMiB);  // nothing changed
  EXPECT_EQ(tree.find(4)->own_bytes, 0u);
  tree.release(3, 30 * kMiB);
  EXPECT_EQ(tree.find(1)->subtree_bytes, 0u);
  EXPECT_EQ(tree.audit(), "");
}

TEST(QuotaTreeTest, AThousandChildrenNeverGetMoreThanTheParentHad) {
  QuotaTree tree;
  tree.add_root(1, 10 * kMiB);
  std::uint64_t granted = 0;
  for (std::uint64_t child = 2; child < 1002; ++child) {
    ASSERT_TRUE(tree.add_child(child, 1, 0, 10 * kMiB).ok());
    while (tree.charge(child, kMiB).ok()) granted += kMiB;
  }
  EXPECT_EQ(granted, 10 * kMiB);
  EXPECT_EQ(tree.find(1)->subtree_bytes, 10 * kMiB);
  EXPECT_EQ(tree.audit(), "");
}

TEST(QuotaTreeTest, MinimumsAreReservedOutOfTheParent) {
  QuotaTree tree;
  tree.add_root(1, 10 * kMiB);
  ASSERT_TRUE(tree.add_child(2, 1, 6 * kMiB, 0).ok());
  EXPECT_EQ(tree.find(1)->subtree_bytes, 6 * kMiB);
  // Another 6 MiB reservation does not fit in what is left (4 MiB).
  EXPECT_EQ(tree.add_child(3, 1, 6 * kMiB, 0).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(tree.find(3), nullptr);
  // Within its reservation a child's use costs its parent nothing more.
  ASSERT_TRUE(tree.charge(2, 5 * kMiB).ok());
  EXPECT_EQ(tree.find(1)->subtree_bytes, 6 * kMiB);
  ASSERT_TRUE(tree.charge(2, 2 * kMiB).ok());
  EXPECT_EQ(tree.find(1)->subtree_bytes, 7 * kMiB);
  EXPECT_FALSE(tree.charge(1, 4 * kMiB).ok());
  ASSERT_TRUE(tree.charge(1, 3 * kMiB).ok());
  EXPECT_EQ(tree.audit(), "");
  // Removing the child gives back its charge and its reservation.
  tree.remove(2);
  EXPECT_EQ(tree.find(1)->subtree_bytes, 3 * kMiB);
  EXPECT_EQ(tree.audit(), "");
}

TEST(QuotaTreeTest, RejectsPoliciesThatDoNotFit) {
  QuotaTree tree;
  tree.add_root(1, 10 * kMiB);
  EXPECT_EQ(tree.add_child(2, 1, 0, 11 * kMiB).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.add_child(2, 1, 5 * kMiB, 4 * kMiB).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.add_child(2, 9, 0, 0).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree.charge(9, 1).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree.size(), 1u);
}

TEST(QuotaTreeTest, ChargesThatWouldOverflowAreRefused) {
  QuotaTree tree;
  tree.add_root(1, QuotaTree::kUnlimited);
  ASSERT_TRUE(tree.charge(1, std::uint64_t{1} << 62).ok());
  EXPECT_FALSE(tree.charge(1, ~std::uint64_t{0}).ok());
  EXPECT_EQ(tree.find(1)->own_bytes, std::uint64_t{1} << 62);
}

}  // namespace
}  // namespace lona::lmm
