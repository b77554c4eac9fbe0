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
}

TEST(ParseInputFormatTest, RejectsOtherValuesNamingTheFlag) {
  for (const char* value : {"", "xml", "JSONL", " text", "json"}) {
    absl::StatusOr<InputFormat> format = ParseInputFormat(value);
    ASSERT_FALSE(format.ok()) << value;
    EXPECT_EQ(format.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(format.status().message()), HasSubstr("--format"));
    EXPECT_THAT(std::string(format.status().message()),
                HasSubstr("auto, text or jsonl"));
  }
}

TEST(InputFormatNameTest, RoundTrips) {
  for (InputFormat format :
       {InputFormat::kAuto, InputFormat::kText, InputFormat::kJsonl}) {
    EXPECT_EQ(*ParseInputFormat(InputFormatName(format)), format);
  }
}

TEST(DetectFormatTest, JsonObjectMeansJsonl) {
  EXPECT_EQ(DetectFormat(R"({"title": "x"})"), InputFormat::kJsonl);
  EXPECT_EQ(DetectFormat("\n\r\n  \t{\"title\""), InputFormat::kJsonl);
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
  EXPECT_THAT(error, HasSubstr("auto, text or jsonl"));
  EXPECT_EQ(format, InputFormat::kJsonl);
}

}  // namespace
}  // namespace archive::cli
