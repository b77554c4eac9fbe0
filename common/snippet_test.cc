#include "common/snippet.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/tokenizer.h"
#include "gtest/gtest.h"

namespace archive {
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
  const std::string snippet = MakeSnippet(WithBody("T", body), {"japan", "defense"}, 12);
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

// Filler words that hold no query term: `count` of them.
std::string Filler(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) {
    text += "filler" + std::to_string(i % 97) + (i % 13 == 12 ? ".\n\n" : " ");
  }
  return text;
}

int Marks(const std::string& snippet) {
  int marks = 0;
  for (size_t at = snippet.find("**"); at != std::string::npos;
       at = snippet.find("**", at + 2)) {
    ++marks;
  }
  return marks / 2;
}

TEST(MakeSnippetTest, NoMatchIsDroppedToShowWordsBeforeTheFirst) {
  // The passage is exactly 12 words from "Japan" to "defense": starting five
  // words earlier would cut "defense" off.
  const std::string body = Filler(40) + "Japan a b c d e f g h i j defense " + Filler(40);
  const std::string snippet = MakeSnippet(WithBody("T", body), {"japan", "defense"}, 12);
  EXPECT_EQ(snippet, "…**Japan** a b c d e f g h i j **defense**…");
}

TEST(MakeSnippetTest, FindsTermsFarIntoALongBody) {
  const std::string body =
      Filler(20'000) + "Japan announced a rise in defense spending. " + Filler(20'000);
  ASSERT_GT(body.size(), 150'000u);
  const std::string snippet = MakeSnippet(WithBody("T", body), {"japan", "defense"}, 12);
  EXPECT_NE(snippet.find("**Japan** announced a rise in **defense** spending"),
            std::string::npos)
      << snippet;
  EXPECT_EQ(snippet.rfind("…", 0), 0u) << snippet;
  EXPECT_EQ(snippet.size() - snippet.rfind("…"), std::string("…").size()) << snippet;
}

TEST(MakeSnippetTest, PrefersThePassageWithMoreTermsOverTheEarlierOne) {
  const std::string body = "Japan " + Filler(3'000) + "Japan raised defense spending. " +
                           Filler(3'000) + "defense";
  const std::string snippet = MakeSnippet(WithBody("T", body), {"japan", "defense"}, 12);
  EXPECT_NE(snippet.find("**Japan** raised **defense** spending"), std::string::npos)
      << snippet;
}

TEST(MakeSnippetTest, MarksEveryFormTheTokenizerFolds) {
  // Upper case, a typographic apostrophe, and Cyrillic capitals, far in.
  const std::string body = Filler(5'000) + "JAPAN’s Москва talks. " + Filler(5'000);
  const std::string snippet = MakeSnippet(WithBody("T", body), {"japan's", "москва"}, 12);
  EXPECT_NE(snippet.find("**JAPAN’s** **Москва** talks"), std::string::npos) << snippet;
}

TEST(MakeSnippetTest, LooksAtALeadThatIsNotAscii) {
  // Full-width letters are the term only after NFKC casefolding, which the
  // byte search does not do; the lead is tokenized anyway.
  const std::string body = "Ｔｏｋｙｏ mayor speaks. " + Filler(5'000);
  const std::string snippet = MakeSnippet(WithBody("T", body), {"tokyo"}, 12);
  EXPECT_EQ(snippet.rfind("**Ｔｏｋｙｏ** mayor speaks.", 0), 0u) << snippet;
}

TEST(MakeSnippetTest, UnspacedScriptFarIn) {
  // Stretches are cut between characters here, not at spaces.
  const std::string passage = "東京都知事が会見した";
  const std::vector<std::string> words = Tokenize(passage);
  ASSERT_GE(words.size(), 2u);
  std::string body;
  for (int i = 0; i < 3'000; ++i) body += "日本の経済は";
  body += passage;
  for (int i = 0; i < 3'000; ++i) body += "日本の経済は";
  const std::string snippet = MakeSnippet(WithBody("T", body), {words[1]}, 12);
  EXPECT_NE(snippet.find("**" + words[1] + "**"), std::string::npos) << snippet;
}

TEST(MakeSnippetTest, TermsPastTheSearchedPartFallBackToTheTitle) {
  const std::string body = Filler(40'000) + "Japan";
  ASSERT_GT(body.size(), 300'000u);
  EXPECT_EQ(MakeSnippet(WithBody("Japan Votes", body), {"japan"}, 12), "**Japan** Votes");
  // Without a term in the title: the body's first words, unmarked.
  const std::string lead = MakeSnippet(WithBody("Votes", body), {"japan"}, 12);
  EXPECT_EQ(lead.rfind("filler0 filler1 ", 0), 0u) << lead;
  EXPECT_EQ(Marks(lead), 0) << lead;
  EXPECT_EQ(lead.size() - lead.rfind("…"), std::string("…").size()) << lead;
}

// Its cost is bounded by how much it reads, not by the body's size (the
// benchmark measures it; a test does not time it): an 8 MB body where a
// common word is everywhere and one term only in the title still gives the
// first passage.
TEST(MakeSnippetTest, AHugeBodyGivesTheFirstPassage) {
  std::string body;
  while (body.size() < (8 << 20)) body += "the vote in Japan was close. ";
  const std::string snippet =
      MakeSnippet(WithBody("Japan Votes", body), {"japan", "votes"}, 12);
  EXPECT_EQ(snippet.rfind("the vote in **Japan** was close. the vote in **Japan**", 0), 0u)
      << snippet;
}

}  // namespace
}  // namespace archive
