#include "common/byte_size.h"

#include <string>

#include "gtest/gtest.h"

namespace archive {
namespace {

uint64_t Parse(absl::string_view text) {
  ByteSize size;
  std::string error;
  EXPECT_TRUE(AbslParseFlag(text, &size, &error)) << text << ": " << error;
  return size.bytes;
}

TEST(ByteSizeTest, ParsesBinaryUnitsInAnyCase) {
  EXPECT_EQ(Parse("0"), 0u);
  EXPECT_EQ(Parse("4096"), 4096u);
  EXPECT_EQ(Parse("64KB"), 64u << 10);
  EXPECT_EQ(Parse("256MB"), 256u << 20);
  EXPECT_EQ(Parse("256 mib"), 256u << 20);
  EXPECT_EQ(Parse("2G"), uint64_t{2} << 30);
  EXPECT_EQ(Parse("1TB"), uint64_t{1} << 40);
}

TEST(ByteSizeTest, RefusesWhatIsNotASizeSayingWhy) {
  for (const char* bad : {"", "MB", "-1MB", "12 parsecs", "1.5GB", "99999999999TB"}) {
    ByteSize size;
    std::string error;
    EXPECT_FALSE(AbslParseFlag(bad, &size, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(ByteSizeTest, UnparsesInTheLargestWholeUnit) {
  EXPECT_EQ(AbslUnparseFlag({256u << 20}), "256MB");
  EXPECT_EQ(AbslUnparseFlag({uint64_t{3} << 30}), "3GB");
  EXPECT_EQ(AbslUnparseFlag({1000}), "1000");
  EXPECT_EQ(AbslUnparseFlag({0}), "0");
}

}  // namespace
}  // namespace archive
