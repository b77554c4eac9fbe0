#include "cli/warc_writer.h"

#include <sstream>
#include <string>
#include <vector>

#include "cli/gzip_for_test.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

WarcRecord Conversion() {
  WarcRecord record;
  record.fields = {{"WARC-Type", "conversion"},
                   {"WARC-Record-ID", "<urn:uuid:2aa6aa1f-2c6a-56a7-90c5-f0f4165f9e15>"},
                   {"WARC-Date", "2023-01-13T15:00:00Z"},
                   {"WARC-Target-URI", "https://example.org/a"},
                   {"Content-Type", "application/vnd.archive.article+json"}};
  record.block = "{\"id\":\"x\"}\n";
  record.block_is_payload = true;
  return record;
}

constexpr char kConversionRecord[] =
    "WARC/1.1\r\n"
    "WARC-Type: conversion\r\n"
    "WARC-Record-ID: <urn:uuid:2aa6aa1f-2c6a-56a7-90c5-f0f4165f9e15>\r\n"
    "WARC-Date: 2023-01-13T15:00:00Z\r\n"
    "WARC-Target-URI: https://example.org/a\r\n"
    "Content-Type: application/vnd.archive.article+json\r\n"
    "Content-Length: 11\r\n"
    // SHA-1 of the block, in base32 (Python's hashlib and base64 agree).
    "WARC-Block-Digest: sha1:RIY6W6D4N7URFDDSZAEACUQWHJWIQEEE\r\n"
    "WARC-Payload-Digest: sha1:RIY6W6D4N7URFDDSZAEACUQWHJWIQEEE\r\n"
    "\r\n"
    "{\"id\":\"x\"}\n"
    "\r\n\r\n";

TEST(WarcWriterTest, ARecordIsItsFieldsLengthDigestsBlockAndTwoLineEnds) {
  std::ostringstream out;
  WarcWriter writer(&out, /*gzip=*/false);
  ASSERT_TRUE(writer.Write(Conversion()).ok());
  EXPECT_EQ(out.str(), kConversionRecord);
}

TEST(WarcWriterTest, WithoutAPayloadOnlyTheBlockDigestIsWritten) {
  WarcRecord record = Conversion();
  record.block_is_payload = false;
  std::ostringstream out;
  WarcWriter writer(&out, /*gzip=*/false);
  ASSERT_TRUE(writer.Write(record).ok());
  EXPECT_EQ(out.str().find("WARC-Payload-Digest"), std::string::npos);
  EXPECT_NE(out.str().find("WARC-Block-Digest"), std::string::npos);
}

TEST(WarcWriterTest, GzipMakesEachRecordAMemberOfItsOwn) {
  std::ostringstream out;
  WarcWriter writer(&out, /*gzip=*/true);
  WarcRecord big = Conversion();
  // Larger than the writer's buffer, and incompressible enough to fill it.
  for (int i = 0; i < 200'000; ++i) big.block += static_cast<char>('a' + (i * 7919) % 26);
  ASSERT_TRUE(writer.Write(Conversion()).ok());
  ASSERT_TRUE(writer.Write(big).ok());
  ASSERT_TRUE(writer.Write(Conversion()).ok());
  ASSERT_TRUE(writer.Flush().ok());

  std::ostringstream plain;
  WarcWriter plain_writer(&plain, /*gzip=*/false);
  ASSERT_TRUE(plain_writer.Write(big).ok());
  bool complete = false;
  const std::vector<std::string> members = GunzipMembersForTest(out.str(), &complete);
  EXPECT_TRUE(complete);
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0], kConversionRecord);
  EXPECT_EQ(members[1], plain.str());
  EXPECT_EQ(members[2], kConversionRecord);
}

TEST(WarcWriterTest, AValueWithALineBreakIsRefusedNamingTheField) {
  WarcRecord record = Conversion();
  record.fields[3].second = "https://evil.example/\r\nWARC-Type: response";
  std::ostringstream out;
  WarcWriter writer(&out, /*gzip=*/false);
  absl::Status status = writer.Write(record);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("WARC-Target-URI"), std::string::npos) << status;
  EXPECT_EQ(out.str(), "");

  record = Conversion();
  record.fields.push_back({"Bad Name", "x"});
  EXPECT_EQ(writer.Write(record).code(), absl::StatusCode::kInvalidArgument);
}

TEST(WarcWriterTest, AFailedStreamIsDataLoss) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  WarcWriter writer(&out, /*gzip=*/false);
  EXPECT_EQ(writer.Write(Conversion()).code(), absl::StatusCode::kDataLoss);
}

TEST(WarcRecordIdTest, ANameGivesTheSameVersion5StyleUuidEveryTime) {
  // Python: SHA-1 of the name, first 16 bytes, version 5, RFC 4122 variant.
  EXPECT_EQ(NameBasedWarcRecordId("archive-article:5f166f89dfe272e05f10cce545843aee"),
            "<urn:uuid:2aa6aa1f-2c6a-56a7-90c5-f0f4165f9e15>");
  EXPECT_NE(NameBasedWarcRecordId("archive-article:a"),
            NameBasedWarcRecordId("archive-article:b"));
}

TEST(WarcRecordIdTest, RandomIdsAreVersion4AndDiffer) {
  const std::string a = RandomWarcRecordId();
  EXPECT_EQ(a.size(), std::string("<urn:uuid:>").size() + 36);
  EXPECT_EQ(a[10 + 14], '4') << a;
  EXPECT_NE(a, RandomWarcRecordId());
}

TEST(IsGzipWarcPathTest, OnlyANameEndingInGzIsGzipped) {
  EXPECT_TRUE(IsGzipWarcPath("x.warc.gz"));
  EXPECT_FALSE(IsGzipWarcPath("x.warc"));
  EXPECT_FALSE(IsGzipWarcPath("gz"));
}

}  // namespace
}  // namespace archive::cli
