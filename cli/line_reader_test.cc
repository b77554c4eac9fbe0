#include "cli/line_reader.h"

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <istream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

std::vector<InputLine> ReadAll(const std::string& text, size_t max_line_bytes) {
  std::istringstream in(text);
  LineReader reader(&in, max_line_bytes);
  std::vector<InputLine> lines;
  InputLine line;
  while (reader.Next(&line)) lines.push_back(line);
  EXPECT_FALSE(reader.Next(&line));
  return lines;
}

TEST(LineReaderTest, ReadsNumberedLinesWithOrWithoutAFinalNewline) {
  for (const std::string ending : {"", "\n"}) {
    const std::vector<InputLine> lines = ReadAll("one\n\ntwo\r\nthree" + ending, 100);
    ASSERT_EQ(lines.size(), 4u) << ending;
    EXPECT_EQ(lines[0].text, "one");
    EXPECT_EQ(lines[1].text, "");
    EXPECT_EQ(lines[2].text, "two\r");
    EXPECT_EQ(lines[3].text, "three");
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(lines[i].number, i + 1);
      EXPECT_FALSE(lines[i].too_long());
      EXPECT_EQ(lines[i].bytes, lines[i].text.size());
    }
  }
  EXPECT_TRUE(ReadAll("", 100).empty());
  EXPECT_EQ(ReadAll("\n", 100).size(), 1u);
}

TEST(LineReaderTest, ALineOverTheBoundKeepsItsLengthAndReadingGoesOn) {
  // Around the bound, and around the size of one read.
  for (const size_t length : {size_t{9}, size_t{10}, size_t{11}, size_t{65535},
                              size_t{65536}, size_t{65537}, size_t{200000}}) {
    const std::string long_line(length, '\0');
    const std::vector<InputLine> lines =
        ReadAll("first\n" + long_line + "\nlast\n", 10);
    ASSERT_EQ(lines.size(), 3u) << length;
    EXPECT_EQ(lines[0].text, "first");
    EXPECT_EQ(lines[1].number, 2);
    EXPECT_EQ(lines[1].bytes, length);
    EXPECT_EQ(lines[1].too_long(), length > 10) << length;
    EXPECT_EQ(lines[1].text, long_line.substr(0, 10));
    EXPECT_EQ(lines[2].text, "last");
    EXPECT_EQ(lines[2].number, 3);
  }
  // At the end of the input, without a newline.
  const std::vector<InputLine> lines = ReadAll("a\n" + std::string(100, 'x'), 10);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[1].too_long());
  EXPECT_EQ(lines[1].bytes, 100u);
}

TEST(LineReaderTest, AByteOrderMarkStartingTheInputIsDropped) {
  const std::vector<InputLine> lines =
      ReadAll("\xEF\xBB\xBF{\"title\": 1}\n\xEF\xBB\xBFsecond\n", 100);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "{\"title\": 1}");
  EXPECT_EQ(lines[0].bytes, lines[0].text.size());
  // Only at the start of the input.
  EXPECT_EQ(lines[1].text, "\xEF\xBB\xBFsecond");

  std::istringstream in("\xEF\xBB\xBF\n\n  {\n");
  LineReader reader(&in, 100);
  EXPECT_EQ(reader.PeekNonBlank(), "  {");
}

TEST(LineReaderTest, PeekingGivesEveryLineBackInOrder) {
  std::istringstream in("\n \t\r\n\nfirst text\nsecond\n");
  LineReader reader(&in, 100);
  EXPECT_EQ(reader.PeekNonBlank(), "first text");
  EXPECT_EQ(reader.PeekNonBlank(), "first text");
  InputLine line;
  for (int number = 1; number <= 3; ++number) {
    ASSERT_TRUE(reader.Next(&line));
    EXPECT_EQ(line.number, number);
    EXPECT_TRUE(line.blank());
  }
  ASSERT_TRUE(reader.Next(&line));
  EXPECT_EQ(line.number, 4);
  EXPECT_EQ(line.text, "first text");
  ASSERT_TRUE(reader.Next(&line));
  EXPECT_EQ(line.number, 5);
  EXPECT_EQ(line.text, "second");
  EXPECT_FALSE(reader.Next(&line));

  std::istringstream blank("\n\n");
  LineReader blank_reader(&blank, 100);
  EXPECT_EQ(blank_reader.PeekNonBlank(), "");
  int blank_lines = 0;
  while (blank_reader.Next(&line)) {
    EXPECT_EQ(line.number, ++blank_lines);
  }
  EXPECT_EQ(blank_lines, 2);
}

TEST(LineReaderTest, ALineTooLongIsNeverBlank) {
  std::istringstream in(std::string(50, ' ') + "\nnext\n");
  LineReader reader(&in, 10);
  EXPECT_EQ(reader.PeekNonBlank(), std::string(10, ' '));
  InputLine line;
  ASSERT_TRUE(reader.Next(&line));
  EXPECT_FALSE(line.blank());
  EXPECT_TRUE(line.too_long());
}

// "line one\n", `length` bytes of 'x', "\nline three\n", made as it is read.
class LongLineBuffer : public std::streambuf {
 public:
  explicit LongLineBuffer(size_t length) : length_(length), chunk_(64 << 10) {}

 protected:
  int_type underflow() override {
    const std::string head = "line one\n";
    const std::string tail = "\nline three\n";
    size_t filled = 0;
    while (filled < chunk_.size() && served_ < head.size() + length_ + tail.size()) {
      char c;
      if (served_ < head.size()) {
        c = head[served_];
      } else if (served_ < head.size() + length_) {
        c = 'x';
      } else {
        c = tail[served_ - head.size() - length_];
      }
      chunk_[filled++] = c;
      ++served_;
    }
    if (filled == 0) return traits_type::eof();
    setg(chunk_.data(), chunk_.data(), chunk_.data() + filled);
    return traits_type::to_int_type(chunk_[0]);
  }

 private:
  const size_t length_;
  std::vector<char> chunk_;
  size_t served_ = 0;
};

// Peak resident memory of this process, in bytes (VmHWM), from
// /proc/self/status.
size_t PeakResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view value = line;
    if (!absl::ConsumePrefix(&value, "VmHWM:")) continue;
    value = absl::StripAsciiWhitespace(value);
    absl::ConsumeSuffix(&value, " kB");
    size_t kilobytes = 0;
    if (absl::SimpleAtoi(value, &kilobytes)) return kilobytes << 10;
  }
  return 0;
}

TEST(LineReaderTest, MemoryStaysFlatThroughA50MegabyteLine) {
  constexpr size_t kLineBytes = 50 << 20;
  constexpr size_t kBound = 1 << 20;
  // Start the peak afresh (Linux: 5 resets VmHWM to the current size).
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  const size_t before = PeakResidentBytes();
  ASSERT_GT(before, 0u);

  LongLineBuffer buffer(kLineBytes);
  std::istream in(&buffer);
  LineReader reader(&in, kBound);
  InputLine line;
  ASSERT_TRUE(reader.Next(&line));
  EXPECT_EQ(line.text, "line one");
  ASSERT_TRUE(reader.Next(&line));
  EXPECT_EQ(line.number, 2);
  EXPECT_TRUE(line.too_long());
  EXPECT_EQ(line.bytes, kLineBytes);
  EXPECT_EQ(line.text.size(), kBound);
  ASSERT_TRUE(reader.Next(&line));
  EXPECT_EQ(line.text, "line three");
  EXPECT_FALSE(reader.Next(&line));

  const size_t growth = PeakResidentBytes() - before;
  EXPECT_LT(growth, 4 * kBound) << "peak grew by " << growth << " bytes";
}

}  // namespace
}  // namespace archive::cli
