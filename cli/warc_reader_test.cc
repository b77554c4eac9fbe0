#include "cli/warc_reader.h"

#include <sstream>
#include <string>
#include <vector>

#include "cli/gzip_for_test.h"
#include "cli/warc_digest.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

std::string Record(const std::string& type, const std::string& block,
                   const std::string& extra = "") {
  return "WARC/1.1\r\nWARC-Type: " + type +
         "\r\nWARC-Record-ID: <urn:uuid:6f1c0a1e-0000-4000-8000-000000000000>\r\n" + extra +
         "Content-Length: " + std::to_string(block.size()) + "\r\n\r\n" + block + "\r\n\r\n";
}

// Every record's "offset type block" and every problem's "offset! reason".
std::vector<std::string> ReadAll(const std::string& file, size_t max_block = 1 << 20) {
  std::istringstream in(file);
  WarcReader reader(&in, max_block);
  std::vector<std::string> seen;
  WarcRecord record;
  WarcProblem problem;
  for (;;) {
    switch (reader.Next(&record, &problem)) {
      case WarcReader::Result::kRecord:
        seen.push_back(std::to_string(record.offset) + " " + record.Type() + " " +
                       record.block + (record.block_truncated() ? "..." : ""));
        break;
      case WarcReader::Result::kProblem:
        seen.push_back(std::to_string(problem.offset) + "! " + problem.reason);
        break;
      case WarcReader::Result::kEnd:
        return seen;
    }
  }
}

TEST(WarcReaderTest, ReadsRecordsWithTheirFieldsAndBlocks) {
  const std::string first = Record("warcinfo", "software: wget\r\n");
  const std::string file =
      first + Record("response", "HTTP/1.1 200 OK\r\n\r\n<p>x</p>",
                     "WARC-Target-URI: <https://example.com/a>\r\n");
  EXPECT_EQ(ReadAll(file),
            (std::vector<std::string>{"0 warcinfo software: wget\r\n",
                                      std::to_string(first.size()) +
                                          " response HTTP/1.1 200 OK\r\n\r\n<p>x</p>"}));
  std::istringstream in(file);
  WarcReader reader(&in, 1 << 20);
  WarcRecord record;
  WarcProblem problem;
  ASSERT_EQ(reader.Next(&record, &problem), WarcReader::Result::kRecord);
  ASSERT_EQ(reader.Next(&record, &problem), WarcReader::Result::kRecord);
  EXPECT_EQ(record.version, "WARC/1.1");
  EXPECT_EQ(record.Field("warc-target-uri"), "<https://example.com/a>");
  EXPECT_EQ(record.Field("WARC-Refers-To"), "");
}

TEST(WarcReaderTest, GzipRecordsAreFoundAtTheirMembersOffsets) {
  const std::string first = GzipForTest(Record("warcinfo", "a"));
  const std::string second = GzipForTest(Record("request", "GET / HTTP/1.1\r\n\r\n"));
  const std::string file = first + second + GzipForTest(Record("response", "c"));
  EXPECT_EQ(ReadAll(file),
            (std::vector<std::string>{"0 warcinfo a",
                                      std::to_string(first.size()) +
                                          " request GET / HTTP/1.1\r\n\r\n",
                                      std::to_string(first.size() + second.size()) +
                                          " response c"}));
}

TEST(WarcReaderTest, ReadsAWholeFileGzip) {
  const std::string a = Record("warcinfo", "a");
  EXPECT_EQ(ReadAll(GzipForTest(a + Record("response", "b"))),
            (std::vector<std::string>{"0 warcinfo a",
                                      std::to_string(a.size()) + " response b"}));
}

TEST(WarcReaderTest, AcceptsWarc10AndLineFeedsAlone) {
  EXPECT_EQ(ReadAll("WARC/1.0\nWARC-Type: resource\nContent-Length: 2\n\nab\n\n"),
            (std::vector<std::string>{"0 resource ab"}));
}

TEST(WarcReaderTest, AFoldedFieldContinuesTheFieldBefore) {
  std::istringstream in(
      "WARC/1.0\r\nWARC-Type: metadata\r\nX-Note: first\r\n  second\r\n"
      "Content-Length: 0\r\n\r\n\r\n\r\n");
  WarcReader reader(&in, 100);
  WarcRecord record;
  WarcProblem problem;
  ASSERT_EQ(reader.Next(&record, &problem), WarcReader::Result::kRecord);
  EXPECT_EQ(record.Field("X-Note"), "first second");
}

TEST(WarcReaderTest, ARecordWithoutContentLengthIsAProblemAndTheNextIsRead) {
  const std::string bad = "WARC/1.1\r\nWARC-Type: response\r\n\r\nstuff\r\n\r\n";
  EXPECT_EQ(ReadAll(bad + Record("resource", "ok")),
            (std::vector<std::string>{"0! the record has no Content-Length",
                                      std::to_string(bad.size()) + " resource ok"}));
}

TEST(WarcReaderTest, BytesThatAreNotARecordAreAProblemAndReadingGoesOn) {
  const std::string junk = "junk line\nmore junk\n";
  EXPECT_EQ(ReadAll(junk + Record("resource", "ok")),
            (std::vector<std::string>{
                "0! expected a record's version line (WARC/1.1), found \"junk line\"",
                std::to_string(junk.size()) + " resource ok"}));
}

TEST(WarcReaderTest, AnUnknownVersionIsNamed) {
  EXPECT_EQ(ReadAll("WARC/0.17\r\nContent-Length: 0\r\n\r\n")[0],
            "0! WARC version \"WARC/0.17\" is not supported (WARC/1.0 and WARC/1.1 are)");
}

TEST(WarcReaderTest, AContentLengthThatIsNotANumberIsAProblem) {
  EXPECT_EQ(ReadAll("WARC/1.1\r\nContent-Length: 12x\r\n\r\n")[0],
            "0! Content-Length \"12x\" is not a number");
}

TEST(WarcReaderTest, AFileThatEndsInsideARecordSaysHowMuchWasThere) {
  const std::string first = Record("resource", "ok");
  EXPECT_EQ(ReadAll(first + "WARC/1.1\r\nContent-Length: 100\r\n\r\nshort"),
            (std::vector<std::string>{"0 resource ok",
                                      std::to_string(first.size()) +
                                          "! the file ends inside the record: 5 of its 100 bytes"}));
}

TEST(WarcReaderTest, ABlockOverTheBoundIsKeptInPartAndTheRestSkipped) {
  const std::string big(100000, 'x');
  const std::vector<std::string> seen =
      ReadAll(Record("resource", big) + Record("resource", "after"), 10);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "0 resource xxxxxxxxxx...");
  EXPECT_EQ(seen[1].substr(seen[1].find(' ')), " resource after");
}

TEST(WarcReaderTest, ADamagedGzipMemberCostsOnlyItsRecord) {
  const std::string first = GzipForTest(Record("warcinfo", "a"));
  std::string broken = GzipForTest(Record("response", std::string(3000, 'q') + "tail"));
  broken[broken.size() / 2] ^= 0x5a;
  broken[broken.size() / 2 + 1] ^= 0x5a;
  const std::string file = first + broken + GzipForTest(Record("resource", "c"));
  const std::vector<std::string> seen = ReadAll(file);
  ASSERT_EQ(seen.size(), 3u) << seen[1];
  EXPECT_EQ(seen[0], "0 warcinfo a");
  EXPECT_EQ(seen[1].substr(0, seen[1].find('!')), std::to_string(first.size()));
  EXPECT_NE(seen[1].find("invalid gzip data"), std::string::npos);
  EXPECT_EQ(seen[2], std::to_string(first.size() + broken.size()) + " resource c");
}

TEST(WarcReaderTest, ABlockThatDoesNotMatchItsDigestIsAProblem) {
  const std::string good =
      Record("resource", "right", "WARC-Block-Digest: " + WarcSha1Digest("right") + "\r\n");
  const std::string bad =
      Record("resource", "wrong", "WARC-Block-Digest: " + WarcSha1Digest("right") + "\r\n");
  const std::string other = Record("resource", "x", "WARC-Block-Digest: md5:abc\r\n");
  // As GNU Wget 1.21 writes a revisit: the digest of an empty block.
  const std::string revisit = Record("revisit", "HTTP/1.1 200 OK\r\n\r\n",
                                     "WARC-Block-Digest: " + WarcSha1Digest("") + "\r\n");
  EXPECT_EQ(ReadAll(good + bad + other + revisit),
            (std::vector<std::string>{
                "0 resource right",
                std::to_string(good.size()) + "! WARC-Block-Digest does not match the block",
                std::to_string(good.size() + bad.size()) + " resource x",
                std::to_string(good.size() + bad.size() + other.size()) +
                    " revisit HTTP/1.1 200 OK\r\n\r\n"}));
}

TEST(WarcReaderTest, AnEmptyInputHasNoRecords) {
  EXPECT_TRUE(ReadAll("").empty());
  EXPECT_TRUE(ReadAll("\r\n\r\n").empty());
}

}  // namespace
}  // namespace archive::cli
