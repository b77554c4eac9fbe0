#include "tests/bench/results.h"

#include "gtest/gtest.h"

namespace archive::bench {
namespace {

TEST(ResultsTest, JsonKeepsOrderAndWritesNullForUnmeasured) {
  Results results;
  results.Set("articles", 300);
  results.Expect("postgres_articles_per_s");
  results.Set("get_p99_ms", 0.8234);
  results.Set("ratio", std::nullopt);
  results.SetFlag("target_met", true);
  results.SetText("error", "say \"no\"\n");
  results.Expect("articles");  // already set: stays
  EXPECT_EQ(results.ToJson(),
            "{\"articles\":300,\"postgres_articles_per_s\":null,\"get_p99_ms\":0.823,"
            "\"ratio\":null,\"target_met\":true,\"error\":\"say \\\"no\\\"\\u000a\"}");
}

TEST(ResultsTest, SetReplaces) {
  Results results;
  results.Set("x", 1.5);
  results.Set("x", 2500.25);
  EXPECT_EQ(results.ToJson(), "{\"x\":2500.2}");
  EXPECT_EQ(results.Number("x"), 2500.25);
  EXPECT_FALSE(results.Number("y").has_value());
}

}  // namespace
}  // namespace archive::bench
