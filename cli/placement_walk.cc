#include "cli/placement_walk.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/minhash.h"
#include "common/rendezvous.h"
#include "common/tokenizer.h"
#include "store/store_health.h"

namespace archive::cli {
namespace {

constexpr absl::Duration kCallTimeout = absl::Seconds(60);
constexpr int kAttempts = 3;

// An arrival, the article's own or a sighting: what merging copies unions.
using Arrival = std::tuple<std::string, std::string, int64_t, int32_t>;

std::set<Arrival> ArrivalsOf(const v1::Article& article) {
  std::set<Arrival> arrivals;
  arrivals.emplace(article.source(), article.url(), article.crawled_at().seconds(),
                   article.crawled_at().nanos());
  for (const v1::Sighting& sighting : article.sightings()) {
    arrivals.emplace(sighting.source(), sighting.url(), sighting.crawled_at().seconds(),
                     sighting.crawled_at().nanos());
  }
  return arrivals;
}

// `call()` again after a transient failure, a few times.
template <typename Call>
auto WithRetries(Call call) -> decltype(call()) {
  auto result = call();
  for (int attempt = 1; attempt < kAttempts && !result.ok() &&
                        store::IsTransientFailure(result.status().code());
       ++attempt) {
    absl::SleepFor(absl::Milliseconds(200) * attempt);
    result = call();
  }
  return result;
}

absl::Status Named(const std::string& store, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("store ", store, ": ", status.message()));
}

class Walk {
 public:
  explicit Walk(const PlacementOptions& options) : options_(options) {
    all_ = options.stores;
    all_.insert(all_.end(), options.drain.begin(), options.drain.end());
    for (const std::string& address : all_) {
      clients_.push_back(store::StoreClient::Connect(address, options.security));
    }
  }

  absl::StatusOr<PlacementReport> Run() {
    start_ = absl::Now();
    last_progress_ = start_;
    // About how many distinct articles there are, for the progress lines.
    uint64_t copies = 0;
    for (size_t s = 0; s < all_.size(); ++s) {
      v1::StatsRequest request;
      auto stats = WithRetries([&] {
        return clients_[s]->Stats(request, absl::Now() + kCallTimeout);
      });
      if (!stats.ok()) return Named(all_[s], stats.status());
      copies += stats->article_count();
    }
    expected_ = copies / static_cast<uint64_t>(options_.replicas);
    for (size_t s = 0; s < all_.size(); ++s) {
      absl::Status walked = WalkStore(s);
      if (!walked.ok()) return walked;
    }
    Progress(/*last=*/true);
    return report_;
  }

 private:
  // The article's ranking over `stores`, by index into all_.
  std::vector<size_t> Ranking(const std::string& id) const {
    return RankStores(id, options_.stores);
  }

  absl::Status WalkStore(size_t s) {
    v1::ScanRequest scan;
    scan.set_oldest_first(true);
    scan.set_page_size(options_.page_size);
    scan.set_view(v1::ARTICLE_VIEW_FULL);
    for (;;) {
      auto page = WithRetries([&] { return clients_[s]->Scan(scan, absl::Now() + kCallTimeout); });
      if (!page.ok()) return Named(all_[s], page.status());
      absl::Status handled = HandlePage(s, page->articles());
      if (!handled.ok()) return handled;
      Progress(/*last=*/false);
      if (page->next_page_token().empty()) return absl::OkStatus();
      scan.set_page_token(page->next_page_token());
    }
  }

  // Which stores hold each of `articles`: held[j][t].
  absl::StatusOr<std::vector<std::vector<bool>>> Holders(
      size_t s, const google::protobuf::RepeatedPtrField<v1::Article>& articles) {
    std::vector<std::vector<bool>> held(articles.size(), std::vector<bool>(all_.size()));
    v1::FindSimilarRequest request;
    for (const v1::Article& article : articles) request.add_queries()->set_id(article.id());
    for (size_t t = 0; t < all_.size(); ++t) {
      if (t == s) {
        for (auto& row : held) row[t] = true;
        continue;
      }
      auto reply = WithRetries(
          [&] { return clients_[t]->FindSimilar(request, absl::Now() + kCallTimeout); });
      if (!reply.ok()) return Named(all_[t], reply.status());
      if (reply->results_size() != articles.size()) {
        return absl::InternalError(absl::StrCat("store ", all_[t], " answered ",
                                                reply->results_size(), " of ",
                                                articles.size(), " lookups"));
      }
      for (int j = 0; j < articles.size(); ++j) held[j][t] = reply->results(j).holds_id();
    }
    return held;
  }

  absl::Status HandlePage(size_t s,
                          const google::protobuf::RepeatedPtrField<v1::Article>& articles) {
    auto holders = Holders(s, articles);
    if (!holders.ok()) return holders.status();

    // Copies to send, by owner; and per article, what waits on them.
    std::map<size_t, v1::PutRequest> puts;
    std::map<size_t, std::vector<int>> put_articles;  // by owner: article index per item
    struct Pending {
      std::vector<size_t> extras;  // holders that are not owners
      bool failed = false;
    };
    std::map<int, Pending> pending;

    for (int j = 0; j < articles.size(); ++j) {
      const v1::Article& article = articles[j];
      const std::vector<bool>& held = (*holders)[j];
      const std::vector<size_t> ranking = Ranking(article.id());
      // Handled by the first holder of its ranking, else the first
      // drained holder.
      size_t coordinator = all_.size();
      for (size_t t : ranking) {
        if (held[t]) {
          coordinator = t;
          break;
        }
      }
      if (coordinator == all_.size()) {
        for (size_t t = options_.stores.size(); t < all_.size(); ++t) {
          if (held[t]) {
            coordinator = t;
            break;
          }
        }
      }
      if (coordinator != s) continue;
      ++report_.checked;

      const size_t replicas = static_cast<size_t>(options_.replicas);
      std::vector<size_t> owners(ranking.begin(), ranking.begin() + replicas);
      std::vector<size_t> holding;
      for (size_t t = 0; t < all_.size(); ++t) {
        if (held[t]) holding.push_back(t);
      }
      std::vector<size_t> missing, extras;
      for (size_t o : owners) {
        if (!held[o]) missing.push_back(o);
      }
      for (size_t h : holding) {
        if (std::find(owners.begin(), owners.end(), h) == owners.end()) extras.push_back(h);
      }
      if (holding.size() < replicas) {
        ++report_.under_replicated;
        Problem(s, article, absl::StrCat("under-replicated: ", holding.size(), " of ",
                                         replicas, " copies"));
      }
      if (!missing.empty() || !extras.empty()) {
        ++report_.misplaced;
        std::string where;
        for (size_t o : missing) absl::StrAppend(&where, " missing on owner ", all_[o], ";");
        for (size_t h : extras) absl::StrAppend(&where, " a copy on ", all_[h], ", not an owner;");
        where.pop_back();
        Problem(s, article, absl::StrCat("misplaced:", where));
      }
      if (!options_.repair) continue;

      // Every holder's copy, by store (this store's from its page); sightings
      // that some copy lacks make a merge.
      std::vector<v1::Article> copies = {article};
      std::map<size_t, size_t> copy_of = {{s, 0}};  // store -> index in copies
      bool failed = false;
      for (size_t h : holding) {
        if (h == s) continue;
        auto copy = WithRetries(
            [&] { return clients_[h]->Get(article.id(), absl::Now() + kCallTimeout); });
        if (!copy.ok()) {
          failed = true;
          break;
        }
        copy_of[h] = copies.size();
        copies.push_back(*std::move(copy));
      }
      if (failed) {
        ++report_.failed;
        continue;
      }
      std::set<Arrival> all_arrivals;
      for (const v1::Article& copy : copies) {
        std::set<Arrival> arrivals = ArrivalsOf(copy);
        all_arrivals.insert(arrivals.begin(), arrivals.end());
      }
      std::vector<uint32_t> minhash;
      for (size_t o : owners) {
        const bool has_copy = held[o];
        if (has_copy) {
          const v1::Article& own = copies[copy_of.at(o)];
          if (ArrivalsOf(own).size() == all_arrivals.size()) continue;  // nothing to add
          ++report_.merged;
        } else {
          ++report_.copied;
          if (minhash.empty()) minhash = MinHashSignature(Tokenize(article.body()));
        }
        for (size_t c = 0; c < copies.size(); ++c) {
          v1::PutItem* item = puts[o].add_items();
          *item->mutable_article() = copies[c];
          item->set_copy(true);
          if (!has_copy && c == 0) item->mutable_minhash()->Add(minhash.begin(), minhash.end());
          put_articles[o].push_back(j);
        }
      }
      if (!extras.empty() || !missing.empty()) pending[j].extras = extras;
    }
    if (!options_.repair) return absl::OkStatus();

    // Copies first, each owner in one batch...
    for (auto& put : puts) {
      // Named, not bound: clang 14 takes no structured binding into a lambda.
      const size_t owner = put.first;
      const v1::PutRequest& request = put.second;
      auto reply = WithRetries(
          [&] { return clients_[owner]->Put(request, absl::Now() + kCallTimeout); });
      if (!reply.ok()) {
        if (options_.problems != nullptr) {
          *options_.problems << "archivectl: copies to " << all_[owner]
                             << " failed: " << reply.status() << "\n";
        }
        for (int j : put_articles[owner]) pending[j].failed = true;
      }
    }
    // ...then, only where every owner took them, removal from the others.
    std::map<size_t, v1::DeleteRequest> deletes;
    for (auto& [j, state] : pending) {
      if (state.failed) {
        ++report_.failed;
        continue;
      }
      for (size_t h : state.extras) deletes[h].add_ids(articles[j].id());
    }
    for (auto& removal : deletes) {
      const size_t store = removal.first;
      const v1::DeleteRequest& request = removal.second;
      auto reply = WithRetries(
          [&] { return clients_[store]->Delete(request, absl::Now() + kCallTimeout); });
      if (!reply.ok()) {
        report_.failed += request.ids_size();
        continue;
      }
      report_.removed += reply->deleted();
    }
    return absl::OkStatus();
  }

  void Problem(size_t s, const v1::Article& article, const std::string& problem) {
    if (options_.problems == nullptr || problem_lines_ >= options_.max_problem_lines) return;
    ++problem_lines_;
    *options_.problems << all_[s] << "  " << article.id() << "  " << article.source()
                       << "  " << problem << "\n";
  }

  void Progress(bool last) {
    if (options_.progress == nullptr) return;
    const absl::Time now = absl::Now();
    if (!last && now - last_progress_ < options_.progress_every) return;
    last_progress_ = now;
    const double seconds = std::max(absl::ToDoubleSeconds(now - start_), 1e-3);
    const double rate = report_.checked / seconds;
    std::string left;
    if (!last && rate > 0 && expected_ > report_.checked) {
      left = absl::StrCat(", about ",
                          absl::FormatDuration(absl::Seconds(std::round(
                              (expected_ - report_.checked) / rate))),
                          " left");
    }
    *options_.progress << absl::StrFormat(
        "%s %d of about %d articles checked, %d copied, %d merged, %d removed, "
        "%d failed; %.0f articles/s, %s%s\n",
        options_.repair ? "rebalance:" : "placement:", report_.checked, expected_,
        report_.copied, report_.merged, report_.removed, report_.failed, rate,
        absl::FormatDuration(absl::Seconds(std::round(seconds))), left);
  }

  const PlacementOptions& options_;
  std::vector<std::string> all_;
  std::vector<std::unique_ptr<store::StoreClient>> clients_;
  PlacementReport report_;
  uint64_t expected_ = 0;
  int problem_lines_ = 0;
  absl::Time start_;
  absl::Time last_progress_;
};

}  // namespace

absl::StatusOr<PlacementReport> RunPlacementWalk(const PlacementOptions& options) {
  return Walk(options).Run();
}

}  // namespace archive::cli
