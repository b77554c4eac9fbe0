#include "store/stored_article.h"

#include "absl/strings/str_cat.h"
#include "common/fingerprint.h"
#include "common/status_macros.h"
#include "store/rocksdb_status.h"

namespace archive::store {

absl::Status DecodeArticle(const rocksdb::Slice& value, v1::Article* article) {
  if (!article->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("a stored article does not parse");
  }
  if (article->content_digest() !=
          ContentDigest(article->title(), article->body()) ||
      article->id() != IdFromDigest(article->content_digest())) {
    return absl::DataLossError(absl::StrCat(
        "article ", article->id(), ": stored text does not match its digest"));
  }
  return absl::OkStatus();
}

absl::Status DecodeHead(const rocksdb::Slice& value, v1::Article* head) {
  if (!head->ParseFromArray(value.data(), static_cast<int>(value.size())) ||
      head->id() != IdFromDigest(head->content_digest())) {
    return absl::DataLossError("a stored article head does not decode");
  }
  return absl::OkStatus();
}

absl::Status DecodeStored(bool head, const rocksdb::Slice& value,
                          v1::Article* article) {
  return head ? DecodeHead(value, article) : DecodeArticle(value, article);
}

absl::Status DecodeReadArticle(const rocksdb::Status& status,
                               const rocksdb::Slice& value, v1::Article* article,
                               bool head) {
  if (status.IsNotFound()) {
    return absl::DataLossError("an index entry points at no article");
  }
  RETURN_IF_ERROR(FromRocksDbStatus(status, "reading an article"));
  return DecodeStored(head, value, article);
}

absl::StatusOr<v1::Article> ReadArticle(const StoreDatabase& database,
                                        std::string_view key,
                                        const rocksdb::ReadOptions& read_options,
                                        bool head) {
  rocksdb::PinnableSlice value;
  const rocksdb::Status status =
      database.db()->Get(read_options, database.family(head ? kArticleHeads : kArticles),
                         rocksdb::Slice(key.data(), key.size()), &value);
  v1::Article article;
  RETURN_IF_ERROR(DecodeReadArticle(status, value, &article, head));
  return article;
}

}  // namespace archive::store
