// Rendezvous (highest random weight) hashing: which stores keep an article.
//
// Every store is weighted for an article by StableHash64 of (store name,
// article id); the stores in descending weight are the article's ranking,
// its preference list. With --replicas=R its first R stores are its owners
// (docs/REPLICATION.md). Every ingest and query server computes the same
// ranking from the same --stores list, whatever its order, and adding or
// removing one store moves only the articles whose first R it enters or
// leaves (about R/N of them). The query server asks the first store for an
// id first.
#ifndef COMMON_RENDEZVOUS_H_
#define COMMON_RENDEZVOUS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace archive {

// Indexes into `store_names` (non-empty), best first: the article's ranking.
std::vector<size_t> RankStores(std::string_view article_id,
                               const std::vector<std::string>& store_names);

// The first of RankStores: the index of the article's first owner.
size_t PickStore(std::string_view article_id,
                 const std::vector<std::string>& store_names);

}  // namespace archive

#endif  // COMMON_RENDEZVOUS_H_
