#include "store/layout_migration.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/article_view.h"
#include "common/status_macros.h"
#include "store/full_text.h"
#include "store/rocksdb_status.h"
#include "store/stored_article.h"

namespace archive::store {
namespace {

constexpr char kFormatKey[] = "format";
constexpr char kNumberedFormat[] = "2";
constexpr char kFormat[] = "3";

// Documents a migration writes in one batch.
constexpr size_t kIndexBatchDocuments = 1000;

}  // namespace

absl::StatusOr<Layout> ReadLayout(const StoreDatabase& database) {
  std::string format;
  rocksdb::Status status = database.db()->Get(
      rocksdb::ReadOptions(), database.family(kDefault), kFormatKey, &format);
  if (!status.ok() && !status.IsNotFound()) {
    return FromRocksDbStatus(status, "reading the layout version");
  }
  if (status.ok() && format != kNumberedFormat && format != kFormat) {
    return absl::FailedPreconditionError(
        absl::StrCat("layout version ", format, " is not one this build reads (",
                     kNumberedFormat, " or ", kFormat, ")"));
  }
  Layout layout;
  layout.numbered = status.ok();
  layout.has_heads = status.ok() && format == kFormat;
  return layout;
}

absl::Status NumberArticles(const StoreDatabase& database, FullTextIndex* index) {
  const DocumentTable& documents = index->documents();
  std::unique_ptr<rocksdb::Iterator> it(database.db()->NewIterator(
      rocksdb::ReadOptions(), database.family(kArticles)));
  if (documents.size() == 0) {
    it->SeekToFirst();
  } else {
    const std::string last =
        documents.ArticleKey(*documents.Find(documents.size() - 1));
    it->Seek(last);
    if (it->Valid() && it->key() == rocksdb::Slice(last)) it->Next();
  }
  rocksdb::WriteBatch batch;
  for (; it->Valid(); it->Next()) {
    v1::Article article;
    RETURN_IF_ERROR(DecodeArticle(it->value(), &article));
    const IndexedText text = IndexText(article.title(), article.body());
    const std::string key = it->key().ToString();
    if (!index->NumberStoredArticle(key, text.length, &batch).ok()) {
      return absl::DataLossError(absl::StrCat("article ", article.id(),
                                              ": its key does not decode"));
    }
    if (batch.Count() >= 2 * kIndexBatchDocuments) {
      RETURN_IF_ERROR(
          FromRocksDbStatus(database.db()->Write(rocksdb::WriteOptions(), &batch),
                            "numbering the articles"));
      batch.Clear();
    }
  }
  RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "reading the articles"));
  batch.Put(database.family(kDefault), kFormatKey, kNumberedFormat);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocksDbStatus(database.db()->Write(write_options, &batch),
                           "numbering the articles");
}

absl::Status WriteAllHeads(const StoreDatabase& database) {
  // Heads are written whole again after a migration cut short: a Put of the
  // same head changes nothing.
  std::unique_ptr<rocksdb::Iterator> it(database.db()->NewIterator(
      rocksdb::ReadOptions(), database.family(kArticles)));
  rocksdb::WriteBatch batch;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::Article article;
    if (!DecodeArticle(it->value(), &article).ok()) continue;
    batch.Put(database.family(kArticleHeads), it->key(),
              ArticleHead(article).SerializeAsString());
    if (batch.Count() >= kIndexBatchDocuments) {
      RETURN_IF_ERROR(
          FromRocksDbStatus(database.db()->Write(rocksdb::WriteOptions(), &batch),
                            "writing the article heads"));
      batch.Clear();
    }
  }
  RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "reading the articles"));
  batch.Put(database.family(kDefault), kFormatKey, kFormat);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocksDbStatus(database.db()->Write(write_options, &batch),
                           "writing the article heads");
}

}  // namespace archive::store
