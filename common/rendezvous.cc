#include "common/rendezvous.h"

#include <cstdint>

#include "common/stable_hash.h"

namespace archive {

size_t PickStore(std::string_view article_id,
                 const std::vector<std::string>& store_names) {
  const uint64_t id_hash = StableHash64(article_id);
  size_t best = 0;
  uint64_t best_weight = 0;
  for (size_t i = 0; i < store_names.size(); ++i) {
    const uint64_t weight = Mix64(StableHash64(store_names[i]) ^ id_hash);
    // Ties (vanishingly rare) go to the smaller name, so order never matters.
    if (i == 0 || weight > best_weight ||
        (weight == best_weight && store_names[i] < store_names[best])) {
      best = i;
      best_weight = weight;
    }
  }
  return best;
}

}  // namespace archive
