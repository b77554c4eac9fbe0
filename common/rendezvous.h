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
#include <cstdint>
#include <optional>
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

// Which store counts an article as its own, so that a sum over some
// answering stores counts each article once (Store.Count's ownership): the
// first of the article's owners (the first `replicas` of its ranking) that
// is answering. Precomputes the stores' hashes, for a walk over many
// articles.
//
// Thread safety: immutable once made.
class AnsweringOwner {
 public:
  // `answering` and `store_names` are of one size.
  AnsweringOwner(std::vector<std::string> store_names, size_t replicas,
                 std::vector<bool> answering);

  // The index of the store that counts `article_id`; nullopt when none of
  // its owners is answering.
  std::optional<size_t> Of(std::string_view article_id) const;

 private:
  const std::vector<std::string> store_names_;
  std::vector<uint64_t> name_hashes_;
  const size_t replicas_;
  const std::vector<bool> answering_;
};

}  // namespace archive

#endif  // COMMON_RENDEZVOUS_H_
