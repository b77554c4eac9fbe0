#include "common/hit_order.h"

#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/timestamp.pb.h"
#include "gtest/gtest.h"

namespace archive {
namespace {

struct Hit {
  double score;
  google::protobuf::Timestamp published_at;
  std::string id;
};

Hit MakeHit(double score, int64_t seconds, int32_t nanos, std::string id) {
  Hit hit{score, {}, std::move(id)};
  hit.published_at.set_seconds(seconds);
  hit.published_at.set_nanos(nanos);
  return hit;
}

bool Before(const Hit& a, const Hit& b) {
  return HitRanksBefore(a.score, a.published_at, a.id, b.score, b.published_at,
                        b.id);
}

TEST(HitOrderTest, ScoreDescendingThenNewestThenIdAscending) {
  const std::vector<Hit> order = {
      MakeHit(3.0, 10, 0, "b"), MakeHit(2.0, 20, 5, "z"),
      MakeHit(2.0, 20, 1, "a"), MakeHit(2.0, 20, 1, "c"),
      MakeHit(2.0, 10, 0, "a"), MakeHit(1.0, 99, 0, "a"),
  };
  for (size_t i = 0; i < order.size(); ++i) {
    for (size_t j = 0; j < order.size(); ++j) {
      EXPECT_EQ(Before(order[i], order[j]), i < j) << i << " " << j;
    }
  }
}

TEST(HitOrderTest, OrderedBytesRankAsTheFieldsTheyEncode) {
  // Big-endian time bytes and ids: the store's form.
  EXPECT_TRUE(HitRanksBefore(1.0, std::string_view("\x02"), std::string_view("a"),
                             1.0, std::string_view("\x01"), std::string_view("a")));
  EXPECT_TRUE(HitRanksBefore(1.0, std::string_view("\x01"), std::string_view("a"),
                             1.0, std::string_view("\x01"), std::string_view("b")));
  EXPECT_FALSE(HitRanksBefore(1.0, std::string_view("\x01"), std::string_view("a"),
                              1.0, std::string_view("\x01"), std::string_view("a")));
}

}  // namespace
}  // namespace archive
