#include "common/rendezvous.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/fingerprint.h"
#include "gtest/gtest.h"

namespace archive {
namespace {

std::vector<std::string> Ids(int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    ids.push_back(IdFromDigest(ContentDigest("t", absl::StrCat("body ", i))));
  }
  return ids;
}

TEST(PickStoreTest, SpreadsArticlesEvenly) {
  const std::vector<std::string> stores = {"10.0.0.1:50052", "10.0.0.2:50052",
                                           "10.0.0.3:50052"};
  std::map<size_t, int> counts;
  for (const std::string& id : Ids(9000)) ++counts[PickStore(id, stores)];
  for (const auto& [store, count] : counts) {
    EXPECT_GT(count, 2700) << store;
    EXPECT_LT(count, 3300) << store;
  }
}

TEST(PickStoreTest, OrderOfTheListDoesNotMatter) {
  const std::vector<std::string> forward = {"a:1", "b:1", "c:1"};
  const std::vector<std::string> backward = {"c:1", "b:1", "a:1"};
  for (const std::string& id : Ids(500)) {
    EXPECT_EQ(forward[PickStore(id, forward)], backward[PickStore(id, backward)]);
  }
}

TEST(PickStoreTest, AddingAStoreMovesOnlyArticlesToIt) {
  const std::vector<std::string> three = {"a:1", "b:1", "c:1"};
  const std::vector<std::string> four = {"a:1", "b:1", "c:1", "d:1"};
  int moved = 0;
  for (const std::string& id : Ids(4000)) {
    const std::string before = three[PickStore(id, three)];
    const std::string after = four[PickStore(id, four)];
    if (before != after) {
      EXPECT_EQ(after, "d:1");
      ++moved;
    }
  }
  EXPECT_GT(moved, 800);
  EXPECT_LT(moved, 1200);
}

TEST(PickStoreTest, IsStableAcrossReleases) {
  // Routing decides where stored articles live: these must never change.
  const std::vector<std::string> stores = {"127.0.0.1:50052", "127.0.0.1:50062"};
  // (Values computed independently, with a Python rendering of the hashes.)
  EXPECT_EQ(PickStore("00000000000000000000000000000000", stores), 1u);
  EXPECT_EQ(PickStore("ffffffffffffffffffffffffffffffff", stores), 1u);
  EXPECT_EQ(PickStore("0123456789abcdef0123456789abcdef", stores), 1u);
  EXPECT_EQ(PickStore("a59f40899dc43316a59f40899dc43316", stores), 0u);
}

TEST(RankStoresTest, StartsWithPickStoreAndNamesEveryStoreOnce) {
  const std::vector<std::string> stores = {"a:1", "b:1", "c:1", "d:1", "e:1"};
  for (const std::string& id : Ids(500)) {
    std::vector<size_t> ranking = RankStores(id, stores);
    ASSERT_EQ(ranking.size(), stores.size());
    EXPECT_EQ(ranking[0], PickStore(id, stores));
    std::sort(ranking.begin(), ranking.end());
    for (size_t i = 0; i < ranking.size(); ++i) EXPECT_EQ(ranking[i], i);
  }
}

TEST(RankStoresTest, OrderOfTheListDoesNotMatter) {
  const std::vector<std::string> forward = {"a:1", "b:1", "c:1", "d:1"};
  const std::vector<std::string> backward = {"d:1", "c:1", "b:1", "a:1"};
  for (const std::string& id : Ids(500)) {
    const std::vector<size_t> f = RankStores(id, forward);
    const std::vector<size_t> b = RankStores(id, backward);
    for (size_t i = 0; i < f.size(); ++i) EXPECT_EQ(forward[f[i]], backward[b[i]]);
  }
}

TEST(RankStoresTest, AddingAStoreMovesOneCopyOfTheArticlesItOwns) {
  // With two replicas, a fourth store takes one copy of about 2/4 of the
  // articles, and the rest of each article's owners stay as they were.
  const std::vector<std::string> three = {"a:1", "b:1", "c:1"};
  const std::vector<std::string> four = {"a:1", "b:1", "c:1", "d:1"};
  int moved = 0;
  for (const std::string& id : Ids(4000)) {
    const std::vector<size_t> before = RankStores(id, three);
    const std::vector<size_t> after = RankStores(id, four);
    std::set<std::string> old_owners = {three[before[0]], three[before[1]]};
    std::set<std::string> new_owners = {four[after[0]], four[after[1]]};
    if (old_owners == new_owners) continue;
    ++moved;
    EXPECT_TRUE(new_owners.count("d:1")) << id;
    std::vector<std::string> kept;
    std::set_intersection(old_owners.begin(), old_owners.end(), new_owners.begin(),
                          new_owners.end(), std::back_inserter(kept));
    EXPECT_EQ(kept.size(), 1u) << id;
  }
  EXPECT_GT(moved, 1800);
  EXPECT_LT(moved, 2200);
}

// The owner a walk picks is the first answering store among the first
// `replicas` of RankStores, for every answering set of five stores.
TEST(AnsweringOwnerTest, IsTheFirstAnsweringOwnerOfTheRanking) {
  const std::vector<std::string> stores = {"s0:1", "s1:1", "s2:1", "s3:1", "s4:1"};
  for (size_t replicas = 1; replicas <= 3; ++replicas) {
    for (int set = 0; set < 32; ++set) {
      std::vector<bool> answering(stores.size());
      for (size_t s = 0; s < stores.size(); ++s) answering[s] = (set >> s) & 1;
      const AnsweringOwner owner(stores, replicas, answering);
      for (const std::string& id : Ids(200)) {
        const std::vector<size_t> ranking = RankStores(id, stores);
        std::optional<size_t> expected;
        for (size_t r = 0; r < replicas; ++r) {
          if (answering[ranking[r]]) {
            expected = ranking[r];
            break;
          }
        }
        EXPECT_EQ(owner.Of(id), expected) << id << " replicas " << replicas << " set " << set;
      }
    }
  }
}

// With fewer than `replicas` stores not answering, every article has exactly
// one counting store, and it is one of its owners.
TEST(AnsweringOwnerTest, CountsEachArticleOnceWhileFewerThanReplicasAreDown) {
  const std::vector<std::string> stores = {"a:1", "b:1", "c:1"};
  const AnsweringOwner owner(stores, 2, {true, false, true});
  for (const std::string& id : Ids(1000)) {
    const std::optional<size_t> counted = owner.Of(id);
    ASSERT_TRUE(counted.has_value()) << id;
    const std::vector<size_t> ranking = RankStores(id, stores);
    EXPECT_TRUE(*counted == ranking[0] || *counted == ranking[1]) << id;
    EXPECT_NE(*counted, 1u);
  }
}

}  // namespace
}  // namespace archive
