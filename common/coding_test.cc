#include "common/coding.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace archive {
namespace {

TEST(CodingTest, BigEndianPutsTheMostSignificantByteFirst) {
  std::string out;
  AppendBigEndian(0x0102030405060708, 8, &out);
  EXPECT_EQ(out, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(ReadBigEndian(out), 0x0102030405060708u);
}

TEST(CodingTest, BigEndianBytesCompareAsTheValuesDo) {
  const uint64_t values[] = {0, 1, 255, 256, 65535, uint64_t{1} << 40,
                             ~uint64_t{0}};
  for (uint64_t a : values) {
    for (uint64_t b : values) {
      std::string ea, eb;
      AppendBigEndian(a, 8, &ea);
      AppendBigEndian(b, 8, &eb);
      EXPECT_EQ(ea < eb, a < b) << a << " " << b;
    }
  }
}

TEST(CodingTest, ANarrowWidthKeepsTheLowBytes) {
  std::string out;
  AppendBigEndian(0xaabbccdd, 4, &out);
  EXPECT_EQ(out, "\xaa\xbb\xcc\xdd");
  EXPECT_EQ(ReadBigEndian(out), 0xaabbccddu);
  out.clear();
  AppendLittleEndian(0x1122334455, 4, &out);
  EXPECT_EQ(out, "\x55\x44\x33\x22");
  EXPECT_EQ(ReadLittleEndian(out), 0x22334455u);
}

TEST(CodingTest, LittleEndianPutsTheLeastSignificantByteFirst) {
  std::string out;
  AppendLittleEndian(0x0102030405060708, 8, &out);
  EXPECT_EQ(out, std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8));
  EXPECT_EQ(ReadLittleEndian(out), 0x0102030405060708u);
}

}  // namespace
}  // namespace archive
