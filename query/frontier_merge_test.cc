#include "query/frontier_merge.h"

#include <string>
#include <vector>

#include "archive/v1/article.pb.h"
#include "gtest/gtest.h"

namespace archive::query {
namespace {

using Articles = google::protobuf::RepeatedPtrField<v1::Article>;

// Articles whose ids are `ids`, in that order (the order the test uses is
// the ids' own).
Articles Page(const std::vector<std::string>& ids) {
  Articles page;
  for (const std::string& id : ids) page.Add()->set_id(id);
  return page;
}

std::vector<std::string> Ids(const MergedPage<v1::Article>& merged) {
  std::vector<std::string> ids;
  for (const v1::Article* article : merged.items) ids.push_back(article->id());
  return ids;
}

MergedPage<v1::Article> Merge(const std::vector<StorePage<v1::Article>>& pages,
                              size_t limit) {
  return MergeByFrontier(
      pages, limit,
      [](const v1::Article& a, const v1::Article& b) { return a.id() < b.id(); },
      [](const v1::Article& a) { return a.id(); });
}

TEST(MergeByFrontierTest, InterleavesCompletePagesUpToTheLimit) {
  Articles a = Page({"a", "c", "e"});
  Articles b = Page({"b", "d"});
  MergedPage<v1::Article> merged = Merge({{&a, false}, {&b, false}}, 4);
  EXPECT_EQ(Ids(merged), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_TRUE(merged.more);
  merged = Merge({{&a, false}, {&b, false}}, 10);
  EXPECT_EQ(merged.items.size(), 5u);
  EXPECT_FALSE(merged.more);
}

TEST(MergeByFrontierTest, NeverOvertakesAStoreWithMore) {
  // The first store stopped at "b" and may hold "c" next: "d" must wait.
  Articles a = Page({"a", "b"});
  Articles b = Page({"d", "e"});
  MergedPage<v1::Article> merged = Merge({{&a, true}, {&b, false}}, 10);
  EXPECT_EQ(Ids(merged), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(merged.more);
}

TEST(MergeByFrontierTest, TakesCopiesOnce) {
  // Replicas: every article on two of three stores.
  Articles a = Page({"a", "b", "d"});
  Articles b = Page({"a", "c", "d"});
  Articles c = Page({"b", "c"});
  MergedPage<v1::Article> merged = Merge({{&a, false}, {&b, false}, {&c, false}}, 10);
  EXPECT_EQ(Ids(merged), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_FALSE(merged.more);
  // A full page whose remainder is only copies of what it took has no more.
  merged = Merge({{&a, false}, {&b, false}, {&c, false}}, 4);
  EXPECT_FALSE(merged.more);
  merged = Merge({{&a, false}, {&b, false}, {&c, false}}, 3);
  EXPECT_EQ(Ids(merged), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(merged.more);
}

TEST(MergeByFrontierTest, TakesNothingFromNoPages) {
  Articles empty;
  MergedPage<v1::Article> merged = Merge({{&empty, false}}, 10);
  EXPECT_TRUE(merged.items.empty());
  EXPECT_FALSE(merged.more);
}

}  // namespace
}  // namespace archive::query
