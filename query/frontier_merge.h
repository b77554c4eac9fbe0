// MergeByFrontier: one page out of several stores' pages, each in the same
// total order, written once for lists and searches.
//
// A store whose page was cut short (it has more) may hold items that come
// right after its last one, so nothing after the earliest such last item
// (the frontier) is taken: the merged page never overtakes a store. Copies
// of one article (replicas on several stores, docs/REPLICATION.md) are taken
// once, by id. Pure functions; the items are not copied.
#ifndef QUERY_FRONTIER_MERGE_H_
#define QUERY_FRONTIER_MERGE_H_

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace archive::query {

// One store's page: its items in order, and whether it has more after them.
template <typename Item>
struct StorePage {
  google::protobuf::RepeatedPtrField<Item>* items;
  bool has_more;
};

template <typename Item>
struct MergedPage {
  // At most `limit`, in order, each id once; they point into the pages.
  std::vector<Item*> items;
  // Something comes after the last of `items`.
  bool more = false;
};

// `before(a, b)`: a comes first (a strict total order, the stores' own);
// `id_of(item)`: the article's id, equal for copies.
template <typename Item, typename Before, typename IdOf>
MergedPage<Item> MergeByFrontier(const std::vector<StorePage<Item>>& pages,
                                 size_t limit, const Before& before,
                                 const IdOf& id_of) {
  MergedPage<Item> merged;
  std::vector<Item*> all;
  const Item* frontier = nullptr;
  for (const StorePage<Item>& page : pages) {
    for (Item& item : *page.items) all.push_back(&item);
    if (page.has_more && !page.items->empty()) {
      merged.more = true;
      const Item& last = *page.items->rbegin();
      if (frontier == nullptr || before(last, *frontier)) frontier = &last;
    }
  }
  std::stable_sort(all.begin(), all.end(),
                   [&before](const Item* a, const Item* b) { return before(*a, *b); });
  absl::flat_hash_set<std::string> taken;
  size_t i = 0;
  for (; i < all.size() && merged.items.size() < limit; ++i) {
    if (frontier != nullptr && before(*frontier, *all[i])) break;
    if (taken.insert(id_of(*all[i])).second) merged.items.push_back(all[i]);
  }
  for (; i < all.size() && !merged.more; ++i) {
    merged.more = !taken.contains(id_of(*all[i]));
  }
  return merged;
}

}  // namespace archive::query

#endif  // QUERY_FRONTIER_MERGE_H_
