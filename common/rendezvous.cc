#include "common/rendezvous.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "common/stable_hash.h"

namespace archive {
namespace {

uint64_t Weight(uint64_t id_hash, uint64_t name_hash) {
  return Mix64(name_hash ^ id_hash);
}

uint64_t Weight(uint64_t id_hash, const std::string& store_name) {
  return Weight(id_hash, StableHash64(store_name));
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

AnsweringOwner::AnsweringOwner(std::vector<std::string> store_names, size_t replicas,
                               std::vector<bool> answering)
    : store_names_(std::move(store_names)),
      replicas_(replicas),
      answering_(std::move(answering)) {
  for (const std::string& name : store_names_) name_hashes_.push_back(StableHash64(name));
}

std::optional<size_t> AnsweringOwner::Of(std::string_view article_id) const {
  // The owners, best first, by selection: no allocation for a walk over
  // every article of a store.
  const uint64_t id_hash = StableHash64(article_id);
  const size_t owners = std::min(replicas_, store_names_.size());
  size_t previous = 0;
  uint64_t previous_weight = 0;
  for (size_t rank = 0; rank < owners; ++rank) {
    std::optional<size_t> best;
    uint64_t best_weight = 0;
    for (size_t i = 0; i < store_names_.size(); ++i) {
      const uint64_t weight = Weight(id_hash, name_hashes_[i]);
      // Only stores ranked after the previous owner.
      if (rank > 0 && !Before(previous_weight, store_names_[previous], weight,
                              store_names_[i])) {
        continue;
      }
      if (!best.has_value() || Before(weight, store_names_[i], best_weight,
                                      store_names_[*best])) {
        best = i;
        best_weight = weight;
      }
    }
    if (!best.has_value()) break;
    if (answering_[*best]) return best;
    previous = *best;
    previous_weight = best_weight;
  }
  return std::nullopt;
}

}  // namespace archive
