#include "store/article_scan.h"

#include <optional>
#include <string>

#include "common/article_rules.h"
#include "common/article_view.h"
#include "common/fingerprint.h"
#include "common/page_size.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "store/article_key.h"
#include "store/page_limits.h"
#include "store/rocksdb_status.h"
#include "store/stored_article.h"

namespace archive::store {

absl::Status ScanArticles(const StoreDatabase& database,
                          const v1::ScanRequest& request,
                          v1::ScanResponse* response) {
  ASSIGN_OR_RETURN(const int page_size,
                   ResolvePageSize(request.page_size(), kDefaultScanPageSize,
                                   kMaxScanPageSize));
  const google::protobuf::Timestamp* start =
      request.has_start_time() ? &request.start_time() : nullptr;
  const google::protobuf::Timestamp* end =
      request.has_end_time() ? &request.end_time() : nullptr;
  if (start != nullptr) RETURN_IF_ERROR(ValidateTimestampNanos(*start, "start_time"));
  if (end != nullptr) RETURN_IF_ERROR(ValidateTimestampNanos(*end, "end_time"));
  if (start != nullptr && end != nullptr &&
      EncodeTime(*start) > EncodeTime(*end)) {
    return absl::InvalidArgumentError("start_time: after end_time");
  }
  const bool by_source = !request.source().empty();
  if (by_source) RETURN_IF_ERROR(ValidateSource(request.source(), "source"));
  RETURN_IF_ERROR(ValidateArticleView(request.view()));
  const bool heads = request.view() == v1::ARTICLE_VIEW_BASIC;
  const Family stored = heads ? kArticleHeads : kArticles;

  std::optional<ArticlePosition> after;
  if (!request.page_token().empty()) {
    v1::ScanCursor cursor;
    if (!cursor.ParseFromString(request.page_token()) ||
        !IsWellFormedId(cursor.id()) || !HasValidNanos(cursor.published_at())) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    after = ArticlePosition{cursor.published_at(), cursor.id()};
  }

  // Keys of the family being walked, and their bounds: [lower, upper).
  const std::string prefix = by_source ? SourcePrefix(request.source()) : "";
  const std::string lower = start != nullptr ? prefix + EncodeTime(*start) : prefix;
  std::string upper;
  if (end != nullptr) {
    upper = prefix + EncodeTime(*end);
  } else if (by_source) {
    upper = request.source() + '\x01';
  } else {
    upper = std::string(kTimeKeyLength + 1, '\xff');
  }
  const rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions read_options;
  if (!lower.empty()) read_options.iterate_lower_bound = &lower_slice;
  read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      database.db()->NewIterator(read_options, database.family(by_source ? stored : kByTime)));

  const bool forward = request.oldest_first();
  if (after.has_value()) {
    const std::string resume = prefix + TimeKey(*after);
    if (forward) {
      if (resume < lower) {
        it->Seek(lower);
      } else {
        it->Seek(resume);
        if (it->Valid() && it->key() == resume) it->Next();
      }
    } else {
      if (resume >= upper) {
        it->SeekToLast();
      } else {
        it->SeekForPrev(resume);
        if (it->Valid() && it->key() == resume) it->Prev();
      }
    }
  } else if (forward) {
    it->SeekToFirst();
  } else {
    it->SeekToLast();
  }

  size_t bytes = 0;
  for (; it->Valid() && response->articles_size() < page_size &&
         bytes < kMaxPageBytes;
       forward ? it->Next() : it->Prev()) {
    v1::Article* article = response->add_articles();
    if (by_source) {
      RETURN_IF_ERROR(DecodeStored(heads, it->value(), article));
    } else {
      const std::string key =
          SourcePrefix(it->value().ToStringView()) + it->key().ToString();
      ASSIGN_OR_RETURN(*article, ReadArticle(database, key, rocksdb::ReadOptions(), heads));
    }
    bytes += article->ByteSizeLong();
  }
  RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "scanning"));
  const bool more = it->Valid();
  if (more && response->articles_size() > 0) {
    const v1::Article& last = *response->articles().rbegin();
    v1::ScanCursor cursor;
    *cursor.mutable_published_at() = last.published_at();
    cursor.set_id(last.id());
    response->set_next_page_token(cursor.SerializeAsString());
  }
  return absl::OkStatus();
}

}  // namespace archive::store
