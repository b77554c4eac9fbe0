// Damaged storage: whatever happens to the bytes on disk, the store opens to
// a consistent state or refuses with a clear message, a read of a damaged
// article is DATA_LOSS (never wrong bytes), and Verify finds the damage.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/article_factory.h"
#include "common/testing/server_process.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/article_db.h"
#include "store/article_key.h"
#include "store/raw_database.h"
#include "store/test_store.h"

namespace archive::store {
namespace {

namespace fs = std::filesystem;
using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;

std::string Body(int i) {
  std::mt19937 random(i);
  std::string body = absl::StrCat("Article ", i, ".");
  for (int w = 0; w < 300; ++w) body += absl::StrCat(" word", random() % 5000);
  return body;
}

std::vector<v1::Article> PutArticles(ArticleDb* db, int count, int per_put) {
  std::vector<v1::Article> articles;
  for (int i = 0; i < count; i += per_put) {
    google::protobuf::RepeatedPtrField<v1::PutItem> items;
    for (int j = i; j < std::min(count, i + per_put); ++j) {
      articles.push_back(MakeArticle("damage.com", "T", Body(j), kJan2023 + j));
      *items.Add()->mutable_article() = articles.back();
    }
    auto put = db->Put(items);
    EXPECT_TRUE(put.ok()) << put.status();
  }
  return articles;
}

// Every page of Verify; the first failure status, if any.
absl::Status VerifyAll(ArticleDb* db, std::vector<v1::DamagedArticle>* damaged,
                       uint64_t* checked) {
  v1::VerifyRequest request;
  request.set_page_size(37);
  for (;;) {
    v1::VerifyResponse response;
    absl::Status status = db->Verify(request, &response);
    if (!status.ok()) return status;
    *checked += response.checked();
    for (const auto& damage : response.damaged()) damaged->push_back(damage);
    if (response.next_page_token().empty()) return absl::OkStatus();
    request.set_page_token(response.next_page_token());
  }
}

TEST(DamageTest, TextThatNoLongerMatchesItsDigestIsDataLoss) {
  const std::string path = archive::testing::MakeTempDir("digest");
  std::vector<v1::Article> articles;
  {
    auto db = ArticleDb::Open(path, ArticleDbOptions());
    ASSERT_TRUE(db.ok());
    articles = PutArticles(db->get(), 5, 5);
    // Into table files: the raw handle below has no merge operators, so it
    // must not replay the write-ahead log's merges.
    ASSERT_TRUE((*db)->Flush().ok());
  }
  // Rot that passes RocksDB's checksums: the value is rewritten whole, with
  // one word of the body changed.
  {
    auto raw = RawDatabase::Open(path);
    ASSERT_TRUE(raw.ok()) << raw.status();
    v1::Article rotten = articles[2];
    rotten.set_body(rotten.body() + " (altered)");
    ASSERT_TRUE((*raw)->db()
                    ->Put(rocksdb::WriteOptions(), (*raw)->family("articles"),
                          ArticleKey("damage.com", {rotten.published_at(), rotten.id()}),
                          rotten.SerializeAsString())
                    .ok());
  }
  auto db = ArticleDb::Open(path, ArticleDbOptions());
  ASSERT_TRUE(db.ok());
  auto damaged_get = (*db)->Get(articles[2].id());
  EXPECT_EQ(damaged_get.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(damaged_get.status().message().find(articles[2].id()), std::string::npos);
  EXPECT_TRUE((*db)->Get(articles[1].id()).ok());

  v1::ScanRequest scan;
  scan.set_source("damage.com");
  v1::ScanResponse page;
  EXPECT_EQ((*db)->Scan(scan, &page).code(), absl::StatusCode::kDataLoss);

  std::vector<v1::DamagedArticle> damaged;
  uint64_t checked = 0;
  ASSERT_TRUE(VerifyAll(db->get(), &damaged, &checked).ok());
  EXPECT_EQ(checked, 5u);
  ASSERT_EQ(damaged.size(), 1u);
  EXPECT_EQ(damaged[0].id(), articles[2].id());
  EXPECT_EQ(damaged[0].source(), "damage.com");
  EXPECT_NE(damaged[0].problem().find("digest"), std::string::npos);
}

TEST(DamageTest, AFlippedByteInATableFileIsNeverReadAsAnArticle) {
  const std::string path = archive::testing::MakeTempDir("flip");
  std::vector<v1::Article> articles;
  {
    auto db = ArticleDb::Open(path, ArticleDbOptions());
    ASSERT_TRUE(db.ok());
    articles = PutArticles(db->get(), 300, 50);
    ASSERT_TRUE((*db)->Flush().ok());
  }
  // Flip a byte in the middle of the articles' table file.
  fs::path largest;
  {
    auto raw = RawDatabase::Open(path, /*read_only=*/true);
    ASSERT_TRUE(raw.ok()) << raw.status();
    std::vector<rocksdb::LiveFileMetaData> files;
    (*raw)->db()->GetLiveFilesMetaData(&files);
    for (const rocksdb::LiveFileMetaData& file : files) {
      const fs::path file_path = fs::path(file.db_path) / fs::path(file.name).filename();
      if (file.column_family_name == "articles" &&
          (largest.empty() || fs::file_size(file_path) > fs::file_size(largest))) {
        largest = file_path;
      }
    }
  }
  ASSERT_FALSE(largest.empty());
  FlipByte(largest, fs::file_size(largest) / 3);

  auto db = ArticleDb::Open(path, ArticleDbOptions());
  if (!db.ok()) {  // refusing is allowed, with a message naming the place
    EXPECT_NE(db.status().message().find(path), std::string::npos) << db.status();
    return;
  }
  int lost = 0;
  for (const v1::Article& article : articles) {
    auto got = (*db)->Get(article.id());
    if (got.ok()) {
      EXPECT_EQ(got->body(), article.body());  // never wrong bytes
    } else {
      EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << got.status();
      ++lost;
    }
  }
  std::vector<v1::DamagedArticle> damaged;
  uint64_t checked = 0;
  absl::Status verified = VerifyAll(db->get(), &damaged, &checked);
  EXPECT_TRUE(lost > 0 || !verified.ok() || !damaged.empty())
      << "the damage went unnoticed";
  if (!verified.ok()) {
    EXPECT_EQ(verified.code(), absl::StatusCode::kDataLoss);
  }
}

TEST(DamageTest, ATornWriteAheadLogTailLosesOnlyTheTornWrite) {
  const std::string path = archive::testing::MakeTempDir("torn");
  std::vector<v1::Article> articles;
  for (int i = 0; i < 40; ++i) {
    articles.push_back(MakeArticle("damage.com", "T", Body(i), kJan2023 + i));
  }
  // A child writes one article a Put and dies without closing: everything
  // is in the write-ahead log only.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = ArticleDb::Open(path, ArticleDbOptions());
    if (!db.ok()) _exit(1);
    for (const v1::Article& article : articles) {
      google::protobuf::RepeatedPtrField<v1::PutItem> items;
      *items.Add()->mutable_article() = article;
      if (!(*db)->Put(items).ok()) _exit(2);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  fs::path newest_log;
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.path().extension() == ".log" &&
        (newest_log.empty() || entry.path().filename() > newest_log.filename())) {
      newest_log = entry.path();
    }
  }
  ASSERT_FALSE(newest_log.empty());
  const auto size = fs::file_size(newest_log);
  fs::resize_file(newest_log, size - 700);  // into the last record

  auto db = ArticleDb::Open(path, ArticleDbOptions());
  ASSERT_TRUE(db.ok()) << db.status();
  int present = 0;
  bool gap = false;
  for (const v1::Article& article : articles) {
    auto got = (*db)->Get(article.id());
    if (got.ok()) {
      EXPECT_FALSE(gap) << "an article after a lost one survived";
      EXPECT_EQ(got->body(), article.body());
      ++present;
    } else {
      EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound) << got.status();
      gap = true;
    }
  }
  EXPECT_GE(present, static_cast<int>(articles.size()) - 2);
  EXPECT_LT(present, static_cast<int>(articles.size()));
  std::vector<v1::DamagedArticle> damaged;
  uint64_t checked = 0;
  ASSERT_TRUE(VerifyAll(db->get(), &damaged, &checked).ok());
  EXPECT_TRUE(damaged.empty());
  EXPECT_EQ(checked, static_cast<uint64_t>(present));
  v1::StatsResponse stats;
  ASSERT_TRUE((*db)->Stats(v1::StatsRequest(), &stats).ok());
  EXPECT_EQ(stats.article_count(), static_cast<uint64_t>(present));
}

}  // namespace
}  // namespace archive::store
