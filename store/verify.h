// Verify: one page of a full check of the articles, in key order; see
// v1::VerifyRequest. Each article must decode, match its digest and its key,
// be what the id index points at, and have the head it would be given now;
// each that does not is reported as a DamagedArticle, with what its key
// tells of it. Damage RocksDB itself reports ends the page as DATA_LOSS,
// naming the last article read.
//
// A function of the database only: safe from any thread.
#ifndef STORE_VERIFY_H_
#define STORE_VERIFY_H_

#include "absl/status/status.h"
#include "archive/v1/store.pb.h"
#include "store/column_families.h"

namespace archive::store {

absl::Status VerifyArticles(const StoreDatabase& database,
                            const v1::VerifyRequest& request,
                            v1::VerifyResponse* response);

}  // namespace archive::store

#endif  // STORE_VERIFY_H_
