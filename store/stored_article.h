// Reading a stored article back, with its fixity check: the bytes of the
// articles family are parsed and checked against the content_digest they
// carry, so that damaged bytes are DATA_LOSS rather than a wrong article.
// A head (the article_heads family, ARTICLE_VIEW_BASIC) holds no text to
// check; RocksDB's block checksums guard its bytes, and Verify compares it
// with its article.
//
// Functions of their arguments only: safe from any thread.
#ifndef STORE_STORED_ARTICLE_H_
#define STORE_STORED_ARTICLE_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "archive/v1/article.pb.h"
#include "rocksdb/db.h"
#include "store/column_families.h"

namespace archive::store {

// A value of the articles family: parses, and its title and body match its
// digest and its id the digest. DATA_LOSS otherwise.
absl::Status DecodeArticle(const rocksdb::Slice& value, v1::Article* article);

// A value of the article_heads family: parses, and its id matches its
// digest. DATA_LOSS otherwise.
absl::Status DecodeHead(const rocksdb::Slice& value, v1::Article* head);

// DecodeHead when `head`, else DecodeArticle.
absl::Status DecodeStored(bool head, const rocksdb::Slice& value,
                          v1::Article* article);

// The article (or its `head`) an index entry led to, read with `status`:
// DATA_LOSS when it is missing (the entry points at nothing) or damaged.
absl::Status DecodeReadArticle(const rocksdb::Status& status,
                               const rocksdb::Slice& value, v1::Article* article,
                               bool head = false);

// Reads and checks the article stored under `key` of the articles family,
// or with `head` its head, of the article_heads family.
absl::StatusOr<v1::Article> ReadArticle(
    const StoreDatabase& database, std::string_view key,
    const rocksdb::ReadOptions& read_options = rocksdb::ReadOptions(),
    bool head = false);

}  // namespace archive::store

#endif  // STORE_STORED_ARTICLE_H_
