#include "store/test_store.h"

#include <fstream>
#include <utility>

#include "common/article_rules.h"
#include "common/testing/server_process.h"
#include "gtest/gtest.h"
#include "store/article_key.h"

namespace archive::store {
namespace {

FullTextIndexOptions IndexOptions() {
  FullTextIndexOptions options;
  options.sync = false;
  return options;
}

}  // namespace

std::string ArticleKeyOf(const v1::Article& article) {
  return ArticleKey(article.source(), {article.published_at(), article.id()});
}

void FlipByte(const std::string& file, uint64_t offset) {
  std::fstream bytes(file, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(bytes.good()) << file;
  const auto at = static_cast<std::streamoff>(offset);
  bytes.seekg(at);
  char byte = 0;
  ASSERT_TRUE(bytes.read(&byte, 1)) << file << " has no byte " << offset;
  byte ^= 0x5a;
  bytes.seekp(at);
  ASSERT_TRUE(bytes.write(&byte, 1)) << file;
}

TestStore::Writer::Writer(const StoreDatabase* database)
    : index(database, IndexOptions()),
      near_duplicates(database),
      writer(database, &index, &near_duplicates, /*sync=*/false,
             kDefaultMaxArticleBytes) {}

TestStore::TestStore(const std::string& prefix)
    : path_(archive::testing::MakeTempDir(prefix)) {
  Reopen();
}

void TestStore::Reopen(bool read_only) {
  writer_.reset();
  database_.reset();
  StoreDatabaseOptions options;
  options.block_cache_bytes = 8 << 20;
  options.memtable_bytes = 8 << 20;
  options.read_only = read_only;
  absl::StatusOr<std::unique_ptr<StoreDatabase>> opened =
      StoreDatabase::Open(path_, options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  database_ = *std::move(opened);
}

void TestStore::PutRow(Family family, const std::string& key, const std::string& value) {
  const rocksdb::Status status =
      database_->db()->Put(rocksdb::WriteOptions(), database_->family(family), key, value);
  ASSERT_TRUE(status.ok()) << status.ToString();
}

std::optional<std::string> TestStore::Row(Family family, const std::string& key) const {
  std::string value;
  const rocksdb::Status status =
      database_->db()->Get(rocksdb::ReadOptions(), database_->family(family), key, &value);
  EXPECT_TRUE(status.ok() || status.IsNotFound()) << status.ToString();
  if (!status.ok()) return std::nullopt;
  return value;
}

void TestStore::PutArticleRow(const v1::Article& article) {
  PutRow(kArticles, ArticleKeyOf(article), article.SerializeAsString());
}

std::vector<v1::PutResult> TestStore::Put(const std::vector<v1::Article>& articles) {
  if (writer_ == nullptr) {
    writer_ = std::make_unique<Writer>(database_.get());
    const absl::Status loaded = writer_->index.LoadDocuments();
    EXPECT_TRUE(loaded.ok()) << loaded;
    const absl::Status recovered = writer_->index.Recover();
    EXPECT_TRUE(recovered.ok()) << recovered;
  }
  google::protobuf::RepeatedPtrField<v1::PutItem> items;
  for (const v1::Article& article : articles) *items.Add()->mutable_article() = article;
  absl::StatusOr<std::vector<v1::PutResult>> results = writer_->writer.Put(items);
  EXPECT_TRUE(results.ok()) << results.status();
  return results.ok() ? *std::move(results) : std::vector<v1::PutResult>();
}

std::vector<std::string> TestStore::Keys(Family family) const {
  std::vector<std::string> keys;
  std::unique_ptr<rocksdb::Iterator> it(
      database_->db()->NewIterator(rocksdb::ReadOptions(), database_->family(family)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return keys;
}

}  // namespace archive::store
