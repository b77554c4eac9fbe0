#include "query/search_query.h"

#include "gtest/gtest.h"

namespace archive::query {
namespace {

using Terms = std::vector<std::string>;

TEST(ParseSearchQueryTest, WordsAreCaseFoldedAndDistinct) {
  auto query = ParseSearchQuery("Japan SECURITY japan");
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->terms, (Terms{"japan", "security"}));
  EXPECT_TRUE(query->phrases.empty());
}

TEST(ParseSearchQueryTest, QuotedPhrases) {
  auto query = ParseSearchQuery("\"Prime Minister\" Kishida \"Oval Office\" \"NASA\"");
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->terms,
            (Terms{"prime", "minister", "kishida", "oval", "office", "nasa"}));
  ASSERT_EQ(query->phrases.size(), 2u);
  EXPECT_EQ(query->phrases[0], (Terms{"prime", "minister"}));
  EXPECT_EQ(query->phrases[1], (Terms{"oval", "office"}));
}

TEST(ParseSearchQueryTest, NonLatinScripts) {
  auto arabic = ParseSearchQuery("الرئيس الأمريكي");
  ASSERT_TRUE(arabic.ok());
  EXPECT_EQ(arabic->terms.size(), 2u);
  auto korean = ParseSearchQuery("대통령 취임");
  ASSERT_TRUE(korean.ok());
  EXPECT_EQ(korean->terms.size(), 2u);
}

TEST(ParseSearchQueryTest, BadQueriesNameTheField) {
  for (const char* text : {"", "   ", "?!", "\"unclosed phrase", "\xff"}) {
    auto query = ParseSearchQuery(text);
    ASSERT_FALSE(query.ok()) << text;
    EXPECT_EQ(query.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(query.status().message().substr(0, 6), "query:");
  }
  std::string many;
  for (int i = 0; i < 40; ++i) many += "word" + std::to_string(i) + " ";
  EXPECT_FALSE(ParseSearchQuery(many).ok());
}

}  // namespace
}  // namespace archive::query
