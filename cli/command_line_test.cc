#include "cli/command_line.h"

#include "gtest/gtest.h"

namespace archive::cli {
namespace {

const std::vector<FlagSpec> kFlags = {
    {"source"}, {"limit"}, {"from"}, {"json", false}, {"oldest-first", false}};

TEST(ParseArgsTest, FlagsAndArguments) {
  auto parsed = ParseArgs({"--source=a.com", "file1", "--limit", "5", "--json",
                           "-", "--oldest-first=false", "--", "--not-a-flag"},
                          kFlags);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->GetString("source"), "a.com");
  EXPECT_EQ(*parsed->GetInt("limit", 0, 1, 100), 5);
  EXPECT_TRUE(parsed->GetBool("json"));
  EXPECT_FALSE(parsed->GetBool("oldest-first"));
  EXPECT_EQ(parsed->arguments(),
            (std::vector<std::string>{"file1", "-", "--not-a-flag"}));
}

TEST(ParseArgsTest, UsageErrorsNameTheFlag) {
  EXPECT_NE(ParseArgs({"--sourc=x"}, kFlags).status().message().find("--sourc"),
            std::string::npos);
  EXPECT_FALSE(ParseArgs({"--limit"}, kFlags).ok());
  EXPECT_FALSE(ParseArgs({"--json=yes"}, kFlags).ok());
  EXPECT_FALSE(ParseArgs({"-x"}, kFlags).ok());
  auto parsed = ParseArgs({"--limit=abc"}, kFlags);
  ASSERT_TRUE(parsed.ok());
  auto limit = parsed->GetInt("limit", 10, 1, 100);
  ASSERT_FALSE(limit.ok());
  EXPECT_NE(limit.status().message().find("--limit"), std::string::npos);
}

TEST(ParseArgsTest, AOneLetterAliasStandsForItsFlag) {
  const std::vector<FlagSpec> flags = {{"output", true, 'o'}, {"json", false}};
  auto parsed = ParseArgs({"-o", "out.warc", "file"}, flags);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->GetString("output"), "out.warc");
  EXPECT_EQ(parsed->arguments(), std::vector<std::string>{"file"});
  EXPECT_EQ(ParseArgs({"--output=x.warc"}, flags)->GetString("output"), "x.warc");
  EXPECT_EQ(ParseArgs({"-o"}, flags).status().message(), "-o needs a value");
  EXPECT_FALSE(ParseArgs({"-j"}, flags).ok());
  EXPECT_EQ(ParseArgs({"-"}, flags)->arguments(), std::vector<std::string>{"-"});
}

TEST(GetTimeTest, Rfc3339AndDates) {
  auto parsed = ParseArgs({"--from=2023-01-13"}, kFlags);
  ASSERT_TRUE(parsed.ok());
  auto from = parsed->GetTime("from");
  ASSERT_TRUE(from.ok());
  EXPECT_EQ(absl::ToUnixSeconds(**from), 1673568000);

  auto rfc = ParseTimeArgument("2023-01-13T15:00:00Z");
  ASSERT_TRUE(rfc.ok());
  EXPECT_EQ(absl::ToUnixSeconds(*rfc), 1673568000 + 15 * 3600);
  auto offset = ParseTimeArgument("2023-01-13T17:00:00+02:00");
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(absl::ToUnixSeconds(*offset), 1673568000 + 15 * 3600);

  auto bad = ParseArgs({"--from=13/01/2023"}, kFlags)->GetTime("from");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().substr(0, 7), "--from:");
  EXPECT_TRUE(ParseArgs({}, kFlags)->GetTime("from")->has_value() == false);
}

}  // namespace
}  // namespace archive::cli
