// Rendezvous (highest random weight) hashing: which store keeps an article.
//
// Each article goes to the store whose StableHash64 of (store name, article
// id) is highest. Every ingest server computes the same answer from the same
// --stores list, whatever its order, and adding or removing one store moves
// only the articles that belong to it (about 1/N of them). Exact dedup relies
// on it: the same content always reaches the same store. The query server
// asks that store first for an id.
#ifndef COMMON_RENDEZVOUS_H_
#define COMMON_RENDEZVOUS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace archive {

// The index in `store_names` (non-empty) of the store for `article_id`.
size_t PickStore(std::string_view article_id,
                 const std::vector<std::string>& store_names);

}  // namespace archive

#endif  // COMMON_RENDEZVOUS_H_
