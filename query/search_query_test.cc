#include "query/search_query.h"

#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace archive::query {
namespace {

using Terms = std::vector<std::string>;

// The query tree in protobuf's text format, on one line.
std::string Tree(const std::string& text) {
  absl::StatusOr<SearchQuery> query = ParseSearchQuery(text);
  if (!query.ok()) return std::string(query.status().message());
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  std::string out;
  printer.PrintToString(query->root, &out);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string Error(const std::string& text) {
  absl::StatusOr<SearchQuery> query = ParseSearchQuery(text);
  if (query.ok()) return "parsed: " + Tree(text);
  EXPECT_EQ(query.status().code(), absl::StatusCode::kInvalidArgument) << text;
  return std::string(query.status().message());
}

TEST(ParseSearchQueryTest, WordsAreCaseFoldedAndDistinct) {
  auto query = ParseSearchQuery("Japan SECURITY japan");
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->terms, (Terms{"japan", "security"}));
  EXPECT_TRUE(query->conjunctive);
  EXPECT_TRUE(query->phrases.empty());
}

TEST(ParseSearchQueryTest, QuotedPhrases) {
  auto query = ParseSearchQuery("\"Prime Minister\" Kishida \"Oval Office\" \"NASA\"");
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->terms,
            (Terms{"prime", "minister", "kishida", "oval", "office", "nasa"}));
  EXPECT_TRUE(query->conjunctive);
  ASSERT_EQ(query->phrases.size(), 2u);
  EXPECT_EQ(query->phrases[0], (Terms{"prime", "minister"}));
  EXPECT_EQ(query->phrases[1], (Terms{"oval", "office"}));
}

TEST(ParseSearchQueryTest, NonLatinScripts) {
  auto arabic = ParseSearchQuery("الرئيس الأمريكي");
  ASSERT_TRUE(arabic.ok());
  EXPECT_EQ(arabic->terms.size(), 2u);
  auto korean = ParseSearchQuery("대통령 OR 취임");
  ASSERT_TRUE(korean.ok());
  EXPECT_EQ(korean->terms.size(), 2u);
  EXPECT_FALSE(korean->conjunctive);
}

TEST(ParseSearchQueryTest, OperatorsAndPrecedence) {
  EXPECT_EQ(Tree("Biden OR Kishida"),
            "any { should { term: \"biden\" } should { term: \"kishida\" } }");
  // Lower-case "or" is a word.
  EXPECT_EQ(Tree("Biden or Kishida"),
            "all { must { term: \"biden\" } must { term: \"or\" } must { term: \"kishida\" } }");
  // AND binds tighter than OR; NOT tighter than AND.
  EXPECT_EQ(Tree("a b OR c"),
            "any { should { all { must { term: \"a\" } must { term: \"b\" } } } "
            "should { term: \"c\" } }");
  EXPECT_EQ(Tree("a AND b OR c AND -d"),
            "any { should { all { must { term: \"a\" } must { term: \"b\" } } } "
            "should { all { must { term: \"c\" } must_not { term: \"d\" } } } }");
  EXPECT_EQ(Tree("a (b OR c)"),
            "all { must { term: \"a\" } must { any { should { term: \"b\" } "
            "should { term: \"c\" } } } }");
  EXPECT_EQ(Tree("a NOT (b OR c)"),
            "all { must { term: \"a\" } must_not { any { should { term: \"b\" } "
            "should { term: \"c\" } } } }");
  // Double negation cancels; nested groups flatten.
  EXPECT_EQ(Tree("a NOT NOT b"), "all { must { term: \"a\" } must { term: \"b\" } }");
  EXPECT_EQ(Tree("((a OR (b OR c)))"),
            "any { should { term: \"a\" } should { term: \"b\" } should { term: \"c\" } }");
}

TEST(ParseSearchQueryTest, PhrasesPrefixesAndSources) {
  EXPECT_EQ(Tree("\"white house\" -\"press office\""),
            "all { must { phrase { terms: \"white\" terms: \"house\" } } "
            "must_not { phrase { terms: \"press\" terms: \"office\" } } }");
  EXPECT_EQ(Tree("Elect* vote"), "all { must { prefix: \"elect\" } must { term: \"vote\" } }");
  // A word that splits into several terms is a phrase of them.
  EXPECT_EQ(Tree("U.S.-led"), "phrase { terms: \"u.s\" terms: \"led\" }");
  EXPECT_EQ(Tree("summit source:Apnews.com"),
            "all { must { term: \"summit\" } must { source: \"apnews.com\" } }");
  EXPECT_EQ(Tree("summit (source:a.com OR source:b.com)"),
            "all { must { term: \"summit\" } must { any { should { source: \"a.com\" } "
            "should { source: \"b.com\" } } } }");
  // A hyphen inside a word, or alone, excludes nothing.
  EXPECT_EQ(Tree("a - b"), "all { must { term: \"a\" } must { term: \"b\" } }");
  // Punctuation alone is no word.
  EXPECT_EQ(Tree("a ?! b"), "all { must { term: \"a\" } must { term: \"b\" } }");
}

TEST(ParseSearchQueryTest, ScoredTermsLeaveOutExclusionsAndPrefixes) {
  auto query = ParseSearchQuery("(tokyo OR \"new york\") -rain elect* source:a.com");
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->terms, (Terms{"tokyo", "new", "york"}));
  EXPECT_FALSE(query->conjunctive);
}

TEST(ParseSearchQueryTest, SyntaxErrorsNamePositionAndProblem) {
  EXPECT_EQ(Error("(biden OR kishida"), "query: unbalanced parenthesis at 1");
  EXPECT_EQ(Error("biden OR kishida) summit"), "query: unbalanced parenthesis at 17");
  EXPECT_EQ(Error("a \"b c"), "query: unclosed quote at 3");
  EXPECT_EQ(Error("a OR"), "query: OR needs something to search for on each side at 3");
  EXPECT_EQ(Error("OR a"), "query: OR needs something to search for on each side at 1");
  EXPECT_EQ(Error("a OR OR b"),
            "query: OR needs something to search for on each side at 3");
  EXPECT_EQ(Error("AND a"), "query: AND needs something to search for on each side at 1");
  EXPECT_EQ(Error("a NOT"), "query: NOT needs something to exclude after it at 3");
  EXPECT_EQ(Error("a ()"), "query: nothing to search for in the parentheses at 3");
  EXPECT_EQ(Error("a source:"),
            "query: source: needs a host name, as in source:apnews.com at 3");
  EXPECT_EQ(Error("a source:no/host"), "query: source: \"no/host\" is not a host name at 3");
  EXPECT_EQ(Error("a \"b c\"*d*"), "parsed: all { must { term: \"a\" } must { phrase { "
                                   "terms: \"b\" terms: \"c\" } } must { prefix: \"d\" } }");
  EXPECT_EQ(Error("U.S.-le*"), "query: a prefix* must be one word at 1");
  // Positions count characters, not bytes.
  EXPECT_EQ(Error("日本 OR 東京)"), "query: unbalanced parenthesis at 9");
}

TEST(ParseSearchQueryTest, CostlyOrMeaninglessQueriesAreRefused) {
  EXPECT_EQ(Error("-a"), "query: only excluded words and filters: add a word to search for");
  EXPECT_EQ(Error("NOT a NOT b"),
            "query: only excluded words and filters: add a word to search for");
  EXPECT_EQ(Error("source:a.com"),
            "query: only excluded words and filters: add a word to search for");
  EXPECT_EQ(Error("a OR -b"),
            "query: an OR of an excluded word matches almost everything; exclude it "
            "outside the OR at 6");
  EXPECT_EQ(Error("a OR source:b.com"), "query: source: filters cannot be ORed with words at 1");
  // Found by the fuzzer: a group of only exclusions, itself excluded.
  EXPECT_EQ(Error("f -(-a NOT b)"),
            "query: only excluded words in a group: add a word to search for at 5");
  // A group that only excludes, beside words, is those exclusions.
  EXPECT_EQ(Tree("f (-a -b)"),
            "all { must { term: \"f\" } must_not { term: \"a\" } must_not { term: \"b\" } }");
  std::string many;
  for (int i = 0; i < 20; ++i) many += "word" + std::to_string(i) + " -no" + std::to_string(i) + " ";
  EXPECT_EQ(Error(many), "query: 40 distinct words, over the limit of 32");
  std::string deep = "a";
  for (int i = 0; i < 40; ++i) deep = "(" + deep + " b)";
  EXPECT_EQ(Error(deep).substr(0, 41), "query: parentheses and NOTs nested deeper");
}

TEST(ParseSearchQueryTest, BadQueriesNameTheField) {
  for (const char* text : {"", "   ", "?!", "\"unclosed phrase", "\xff", "()", "-"}) {
    auto query = ParseSearchQuery(text);
    ASSERT_FALSE(query.ok()) << text;
    EXPECT_EQ(query.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(query.status().message().substr(0, 6), "query:");
  }
}

}  // namespace
}  // namespace archive::query
