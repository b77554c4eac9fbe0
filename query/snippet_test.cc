#include "query/snippet.h"

#include "gtest/gtest.h"

namespace archive::query {
namespace {

v1::Article WithBody(const std::string& title, const std::string& body) {
  v1::Article article;
  article.set_title(title);
  article.set_body(body);
  return article;
}

TEST(MakeSnippetTest, MarksMatchedWordsInTheirPassage) {
  std::string body;
  for (int i = 0; i < 50; ++i) body += "filler" + std::to_string(i) + " ";
  body += "Japan announced a rise in defense spending.\n\nMore filler text.";
  const std::string snippet =
      MakeSnippet(WithBody("T", body), {"japan", "defense"}, 12);
  EXPECT_NE(snippet.find("**Japan**"), std::string::npos) << snippet;
  EXPECT_NE(snippet.find("**defense**"), std::string::npos) << snippet;
  EXPECT_EQ(snippet.rfind("…", 0), 0u) << snippet;
  EXPECT_EQ(snippet.find('\n'), std::string::npos);
}

TEST(MakeSnippetTest, ShortBodyIsWholeAndCaseIsKept) {
  EXPECT_EQ(MakeSnippet(WithBody("T", "Biden met KISHIDA today."), {"kishida"}),
            "Biden met **KISHIDA** today.");
}

TEST(MakeSnippetTest, FallsBackToTheTitle) {
  EXPECT_EQ(MakeSnippet(WithBody("Lee Vows Revival", "Nothing relevant."), {"lee"}),
            "**Lee** Vows Revival");
}

TEST(MakeSnippetTest, NonLatin) {
  const std::string snippet =
      MakeSnippet(WithBody("T", "이재명 대통령이 취임했다"), {"대통령이"});
  EXPECT_NE(snippet.find("**대통령이**"), std::string::npos) << snippet;
}

}  // namespace
}  // namespace archive::query
