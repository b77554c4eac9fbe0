#include "cli/input_format.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

using ::testing::HasSubstr;

TEST(ParseInputFormatTest, AcceptsTheFlagValues) {
  EXPECT_EQ(*ParseInputFormat("auto"), InputFormat::kAuto);
  EXPECT_EQ(*ParseInputFormat("text"), InputFormat::kText);
  EXPECT_EQ(*ParseInputFormat("jsonl"), InputFormat::kJsonl);
  EXPECT_EQ(*ParseInputFormat("warc"), InputFormat::kWarc);
}

TEST(ParseInputFormatTest, RejectsOtherValuesNamingTheFlag) {
  for (const char* value : {"", "xml", "JSONL", " text", "json"}) {
    absl::StatusOr<InputFormat> format = ParseInputFormat(value);
    ASSERT_FALSE(format.ok()) << value;
    EXPECT_EQ(format.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(format.status().message()), HasSubstr("--format"));
    EXPECT_THAT(std::string(format.status().message()),
                HasSubstr("auto, text, jsonl or warc"));
  }
}

TEST(InputFormatNameTest, RoundTrips) {
  for (InputFormat format :
       {InputFormat::kAuto, InputFormat::kText, InputFormat::kJsonl, InputFormat::kWarc}) {
    EXPECT_EQ(*ParseInputFormat(InputFormatName(format)), format);
  }
}

TEST(DetectFormatTest, JsonObjectMeansJsonl) {
  EXPECT_EQ(DetectFormat(R"({"title": "x"})"), InputFormat::kJsonl);
  EXPECT_EQ(DetectFormat("\n\r\n  \t{\"title\""), InputFormat::kJsonl);
}

TEST(DetectFormatTest, AVersionLineOrAGzipMemberMeansWarc) {
  EXPECT_EQ(DetectFormat("WARC/1.0\r\nWARC-Type: warcinfo"), InputFormat::kWarc);
  EXPECT_EQ(DetectFormat("WARC/1.1\r\n"), InputFormat::kWarc);
  EXPECT_EQ(DetectFormat("\x1f\x8b\x08\x00"), InputFormat::kWarc);
  // A headline about WARC is page text.
  EXPECT_EQ(DetectFormat("WARC files explained\n"), InputFormat::kText);
}

TEST(DetectFormatTest, AnythingElseIsText) {
  EXPECT_EQ(DetectFormat("Biden and Kishida Discuss Japan Security\n\n{"),
            InputFormat::kText);
  EXPECT_EQ(DetectFormat("[{\"title\": \"x\"}]"), InputFormat::kText);
  EXPECT_EQ(DetectFormat(""), InputFormat::kText);
  EXPECT_EQ(DetectFormat("  \n\n"), InputFormat::kText);
  EXPECT_EQ(DetectFormat(std::string("\0{", 2)), InputFormat::kText);
}

TEST(AbslFlagTest, ParsesAndUnparses) {
  InputFormat format = InputFormat::kAuto;
  std::string error;
  EXPECT_TRUE(AbslParseFlag("jsonl", &format, &error));
  EXPECT_EQ(format, InputFormat::kJsonl);
  EXPECT_EQ(AbslUnparseFlag(format), "jsonl");
  EXPECT_FALSE(AbslParseFlag("csv", &format, &error));
  EXPECT_THAT(error, HasSubstr("auto, text, jsonl or warc"));
  EXPECT_EQ(format, InputFormat::kJsonl);
}

}  // namespace
}  // namespace archive::cli
