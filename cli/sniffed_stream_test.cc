#include "cli/sniffed_stream.h"

#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace archive::cli {
namespace {

std::string ReadAll(std::istream& in) {
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(SniffedStreamTest, ShowsTheFirstBytesAndStillReadsThemAll) {
  std::istringstream in("WARC/1.1\r\nthe rest of the input");
  SniffedStream sniffed(&in, 7);
  EXPECT_EQ(sniffed.first_bytes(), "WARC/1.");
  EXPECT_EQ(ReadAll(sniffed), "WARC/1.1\r\nthe rest of the input");
}

TEST(SniffedStreamTest, AShortInputIsAllFirstBytes) {
  std::istringstream in("ab");
  SniffedStream sniffed(&in, 7);
  EXPECT_EQ(sniffed.first_bytes(), "ab");
  std::string line;
  EXPECT_TRUE(std::getline(sniffed, line));
  EXPECT_EQ(line, "ab");
  EXPECT_FALSE(std::getline(sniffed, line));
}

TEST(SniffedStreamTest, AnEmptyInputEndsAtOnce) {
  std::istringstream in("");
  SniffedStream sniffed(&in, 7);
  EXPECT_EQ(sniffed.first_bytes(), "");
  EXPECT_EQ(sniffed.get(), std::char_traits<char>::eof());
}

TEST(SniffedStreamTest, ReadsInputLongerThanItsChunk) {
  const std::string text(200000, 'x');
  std::istringstream in(text + "end");
  SniffedStream sniffed(&in, 4);
  EXPECT_EQ(ReadAll(sniffed), text + "end");
}

}  // namespace
}  // namespace archive::cli
