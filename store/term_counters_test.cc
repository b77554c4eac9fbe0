#include "store/term_counters.h"

#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace archive::store {
namespace {

TEST(TermCountersTest, RoundTrip) {
  const std::vector<uint64_t> counters = {1, 0, uint64_t{1} << 40};
  const std::string bytes = EncodeTermCounters(counters);
  EXPECT_EQ(bytes.size(), 24u);
  EXPECT_EQ(DecodeTermCounters(bytes, 3), counters);
  EXPECT_FALSE(DecodeTermCounters(bytes, 2).has_value());
  EXPECT_FALSE(DecodeTermCounters("", 0).has_value());
}

class TermCountersMergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string path = ::testing::TempDir() + "/term_counters_XXXXXX";
    rocksdb::Options options;
    options.create_if_missing = true;
    options.merge_operator = NewTermCountersMergeOperator();
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, mkdtemp(path.data()), &db).ok());
    db_.reset(db);
  }

  std::unique_ptr<rocksdb::DB> db_;
};

TEST_F(TermCountersMergeTest, SumsElementWiseAcrossFlushes) {
  const rocksdb::WriteOptions write;
  ASSERT_TRUE(db_->Merge(write, "", EncodeTermCounters({1, 300})).ok());
  ASSERT_TRUE(db_->Merge(write, "term", EncodeTermCounters({1})).ok());
  ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
  ASSERT_TRUE(db_->Merge(write, "", EncodeTermCounters({1, 45})).ok());
  ASSERT_TRUE(db_->Merge(write, "term", EncodeTermCounters({1})).ok());
  ASSERT_TRUE(db_->Merge(write, "term", EncodeTermCounters({1})).ok());

  std::string value;
  ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), "", &value).ok());
  EXPECT_EQ(DecodeTermCounters(value, 2), (std::vector<uint64_t>{2, 345}));
  ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), "term", &value).ok());
  EXPECT_EQ(DecodeTermCounters(value, 1), (std::vector<uint64_t>{3}));
}

TEST_F(TermCountersMergeTest, OperandsOfDifferentLengthsAreCorruption) {
  const rocksdb::WriteOptions write;
  ASSERT_TRUE(db_->Merge(write, "k", EncodeTermCounters({1})).ok());
  ASSERT_TRUE(db_->Merge(write, "k", EncodeTermCounters({1, 2})).ok());
  std::string value;
  EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), "k", &value).IsCorruption());
}

}  // namespace
}  // namespace archive::store
