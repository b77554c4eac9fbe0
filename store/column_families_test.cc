#include "store/column_families.h"

#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace archive::store {
namespace {

std::string NewTempDir() {
  std::string pattern = ::testing::TempDir() + "/column_families_XXXXXX";
  return mkdtemp(pattern.data());
}

TEST(ColumnFamiliesTest, OpensEveryFamilyUnderItsName) {
  const std::string path = NewTempDir();
  absl::StatusOr<std::unique_ptr<StoreDatabase>> database =
      StoreDatabase::Open(path, {8 << 20, 8 << 20});
  ASSERT_TRUE(database.ok()) << database.status();
  ASSERT_EQ((*database)->families().size(), static_cast<size_t>(kFamilyCount));
  for (int f = 0; f < kFamilyCount; ++f) {
    EXPECT_EQ((*database)->family(static_cast<Family>(f))->GetName(),
              FamilyName(static_cast<Family>(f)));
  }
  EXPECT_STREQ(FamilyName(kArticleHeads), "article_heads");
  ASSERT_TRUE((*database)->Close().ok());
  EXPECT_TRUE((*database)->closed());
  EXPECT_EQ((*database)->Close().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ColumnFamiliesTest, DropsTheFamiliesOfTheIndexBeforeDocumentNumbers) {
  const std::string path = NewTempDir();
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, path, &db).ok());
    rocksdb::ColumnFamilyHandle* postings = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily({}, "postings", &postings).ok());
    db->DestroyColumnFamilyHandle(postings);
    delete db;
  }
  absl::StatusOr<std::unique_ptr<StoreDatabase>> database =
      StoreDatabase::Open(path, {8 << 20, 8 << 20});
  ASSERT_TRUE(database.ok()) << database.status();
  ASSERT_TRUE((*database)->Close().ok());
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies({}, path, &names).ok());
  EXPECT_EQ(names.size(), static_cast<size_t>(kFamilyCount));
  for (const std::string& name : names) EXPECT_NE(name, "postings");
}

TEST(ColumnFamiliesTest, ADirectoryThatCannotHoldADatabaseFailsNamingIt) {
  absl::StatusOr<std::unique_ptr<StoreDatabase>> database =
      StoreDatabase::Open("/proc/no/such/dir", {8 << 20, 8 << 20});
  ASSERT_FALSE(database.ok());
  EXPECT_NE(database.status().message().find("/proc/no/such/dir"),
            std::string::npos);
}

}  // namespace
}  // namespace archive::store
