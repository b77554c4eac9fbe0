#include "cli/gzip_reader.h"

#include <sstream>
#include <string>

#include "cli/gzip_for_test.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

// Reads everything, the damage found on the way noted in `damage`.
std::string ReadAll(GzipReader* reader, std::string* damage = nullptr) {
  std::string content;
  char chunk[7];  // small, to cross every boundary
  for (;;) {
    const size_t n = reader->Read(chunk, sizeof chunk);
    content.append(chunk, n);
    if (std::optional<GzipReader::Damage> found = reader->TakeDamage()) {
      if (damage != nullptr) {
        *damage += std::to_string(found->file_offset) + ": " + found->reason + ";";
      }
      continue;
    }
    if (n == 0) return content;
  }
}

TEST(GzipReaderTest, ReadsInputThatIsNotGzipAsItIs) {
  std::istringstream in("WARC/1.1\r\nplain");
  GzipReader reader(&in);
  EXPECT_FALSE(reader.gzip());
  EXPECT_EQ(ReadAll(&reader), "WARC/1.1\r\nplain");
  EXPECT_EQ(reader.FileOffsetOf(4), 4u);
}

TEST(GzipReaderTest, ReadsMembersBackToBackAndKnowsWhereEachStarts) {
  const std::string first = GzipForTest("first record\n");
  const std::string second = GzipForTest("second\n");
  std::istringstream in(first + second + GzipForTest("third\n"));
  GzipReader reader(&in);
  EXPECT_TRUE(reader.gzip());
  EXPECT_EQ(ReadAll(&reader), "first record\nsecond\nthird\n");
  EXPECT_EQ(reader.FileOffsetOf(0), 0u);
  EXPECT_EQ(reader.FileOffsetOf(13), first.size());
  EXPECT_EQ(reader.FileOffsetOf(15), std::nullopt);  // inside a member
  EXPECT_EQ(reader.FileOffsetOf(20), first.size() + second.size());
}

TEST(GzipReaderTest, ReadsOneMemberForTheWholeFile) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + "\n";
  std::istringstream in(GzipForTest(text));
  GzipReader reader(&in);
  EXPECT_EQ(ReadAll(&reader), text);
}

TEST(GzipReaderTest, ADamagedMemberIsReportedAndTheNextOneIsRead) {
  const std::string first = GzipForTest("first\n");
  std::string broken = GzipForTest("broken member with some text in it\n");
  broken[broken.size() / 2] ^= 0x55;
  broken[broken.size() / 2 + 1] ^= 0x55;
  std::istringstream in(first + broken + GzipForTest("last\n"));
  GzipReader reader(&in);
  std::string damage;
  const std::string content = ReadAll(&reader, &damage);
  EXPECT_EQ(content.substr(0, 6), "first\n");
  EXPECT_EQ(content.substr(content.size() - 5), "last\n");
  EXPECT_EQ(damage.substr(0, damage.find(':')), std::to_string(first.size()));
  EXPECT_NE(damage.find("invalid gzip data"), std::string::npos) << damage;
}

TEST(GzipReaderTest, AFileThatEndsInsideAMemberIsDamage) {
  const std::string first = GzipForTest("first\n");
  const std::string second = GzipForTest("second member\n");
  std::istringstream in(first + second.substr(0, second.size() - 6));
  GzipReader reader(&in);
  std::string damage;
  ReadAll(&reader, &damage);
  EXPECT_EQ(damage, std::to_string(first.size()) + ": the file ends inside a gzip member;");
}

TEST(GzipReaderTest, BytesAfterTheLastMemberThatAreNotGzipAreDamage) {
  const std::string first = GzipForTest("first\n");
  std::istringstream in(first + std::string(10, '\0'));
  GzipReader reader(&in);
  std::string damage;
  EXPECT_EQ(ReadAll(&reader, &damage), "first\n");
  EXPECT_EQ(damage.substr(0, damage.find(':')), std::to_string(first.size()));
}

}  // namespace
}  // namespace archive::cli
