// Scan: one page of articles in publication order, by source (a seek in the
// articles or article_heads family) or of every source (the by_time family,
// then a read of each article); see v1::ScanRequest. A page stops at its
// page_size or at kMaxPageBytes of articles; its token is the last
// article's position, so a page resumes right after it whatever was stored
// since.
//
// A function of the database only: safe from any thread.
#ifndef STORE_ARTICLE_SCAN_H_
#define STORE_ARTICLE_SCAN_H_

#include "absl/status/status.h"
#include "archive/v1/store.pb.h"
#include "store/column_families.h"

namespace archive::store {

// INVALID_ARGUMENT naming the field for a malformed request (a negative
// page_size, a time with nanos out of range or start after end, a source that
// is no host name, an unknown view, a malformed page_token); DATA_LOSS for a
// damaged article.
absl::Status ScanArticles(const StoreDatabase& database,
                          const v1::ScanRequest& request,
                          v1::ScanResponse* response);

}  // namespace archive::store

#endif  // STORE_ARTICLE_SCAN_H_
