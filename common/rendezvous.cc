#include "common/rendezvous.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "common/stable_hash.h"

namespace archive {
namespace {

uint64_t Weight(uint64_t id_hash, const std::string& store_name) {
  return Mix64(StableHash64(store_name) ^ id_hash);
}

// Higher weight first; ties (vanishingly rare) go to the smaller name, so
// the order of the list never matters.
bool Before(uint64_t weight_a, const std::string& name_a, uint64_t weight_b,
            const std::string& name_b) {
  return weight_a != weight_b ? weight_a > weight_b : name_a < name_b;
}

}  // namespace

std::vector<size_t> RankStores(std::string_view article_id,
                               const std::vector<std::string>& store_names) {
  const uint64_t id_hash = StableHash64(article_id);
  std::vector<std::pair<uint64_t, size_t>> weighted;
  weighted.reserve(store_names.size());
  for (size_t i = 0; i < store_names.size(); ++i) {
    weighted.emplace_back(Weight(id_hash, store_names[i]), i);
  }
  std::sort(weighted.begin(), weighted.end(),
            [&store_names](const auto& a, const auto& b) {
              return Before(a.first, store_names[a.second], b.first,
                            store_names[b.second]);
            });
  std::vector<size_t> ranking;
  ranking.reserve(weighted.size());
  for (const auto& [weight, index] : weighted) ranking.push_back(index);
  return ranking;
}

size_t PickStore(std::string_view article_id,
                 const std::vector<std::string>& store_names) {
  const uint64_t id_hash = StableHash64(article_id);
  size_t best = 0;
  uint64_t best_weight = 0;
  for (size_t i = 0; i < store_names.size(); ++i) {
    const uint64_t weight = Weight(id_hash, store_names[i]);
    if (i == 0 || Before(weight, store_names[i], best_weight, store_names[best])) {
      best = i;
      best_weight = weight;
    }
  }
  return best;
}

}  // namespace archive
