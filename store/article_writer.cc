#include "store/article_writer.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/article_rules.h"
#include "common/article_view.h"
#include "common/minhash.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "store/article_key.h"
#include "store/full_text.h"
#include "store/rocksdb_status.h"
#include "store/source_counters.h"
#include "store/stored_article.h"

namespace archive::store {
namespace {

// What a Put that stores a new article reports.
v1::PutResult NewArticleResult(const v1::Article& stored) {
  v1::PutResult result;
  result.set_id(stored.id());
  if (stored.near_duplicate_of().empty()) {
    result.set_outcome(v1::OUTCOME_STORED);
  } else {
    result.set_outcome(v1::OUTCOME_NEAR_DUPLICATE);
    result.set_duplicate_of(stored.near_duplicate_of());
  }
  return result;
}

uint64_t ArticleBytes(const v1::Article& article) {
  uint64_t bytes = article.title().size() + article.body().size();
  for (const std::string& caption : article.captions()) bytes += caption.size();
  return bytes;
}
}  // namespace

Arrival ClassifyArrival(const v1::Article& stored, const v1::Article& in) {
  if (stored.source() == in.source() && stored.url() == in.url() &&
      stored.crawled_at() == in.crawled_at()) {
    return Arrival::kOriginal;
  }
  for (const v1::Sighting& seen : stored.sightings()) {
    if (seen.source() == in.source() && seen.url() == in.url() &&
        seen.crawled_at() == in.crawled_at()) {
      return Arrival::kKnownSighting;
    }
  }
  return Arrival::kNew;
}

ArticleWriter::StripeLocks::StripeLocks(Stripes* stripes,
                                        const std::vector<size_t>& indexes) {
  held_.reserve(indexes.size());
  for (size_t index : indexes) {
    Mutex* stripe = &(*stripes)[index];
    stripe->Lock();
    held_.push_back(stripe);
  }
}

void ArticleWriter::StripeLocks::Release() {
  for (Mutex* stripe : held_) stripe->Unlock();
  held_.clear();
}

absl::StatusOr<std::vector<v1::PutResult>> ArticleWriter::Put(
    const google::protobuf::RepeatedPtrField<v1::PutItem>& items) {
  const absl::Time now = absl::Now();
  for (int i = 0; i < items.size(); ++i) {
    RETURN_IF_ERROR(ValidateStoredArticle(items[i].article(), now,
                                          max_article_bytes_,
                                          absl::StrCat("items[", i, "].article.")));
    if (items[i].minhash_size() != 0 &&
        items[i].minhash_size() != static_cast<int>(kSignatureLength)) {
      return absl::InvalidArgumentError(
          absl::StrCat("items[", i, "].minhash: has ", items[i].minhash_size(),
                       " values, not ", kSignatureLength));
    }
  }

  // Every stripe the batch touches, in index order so that concurrent
  // batches cannot deadlock.
  std::vector<size_t> stripes;
  for (const v1::PutItem& item : items) {
    stripes.push_back(std::hash<std::string>()(item.article().id()) %
                      kLockStripes);
  }
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());

  // Tokenizing is most of a Put's work, so it is done before the locks are
  // taken, and only for articles not stored yet: a retried or re-fed batch
  // tokenizes nothing.
  std::vector<std::optional<IndexedText>> texts(items.size());
  std::unordered_set<std::string> seen;
  for (int i = 0; i < items.size(); ++i) {
    const v1::Article& in = items[i].article();
    if (!seen.insert(in.id()).second) continue;
    rocksdb::PinnableSlice stored_key;
    rocksdb::Status status = database_->db()->Get(
        rocksdb::ReadOptions(), database_->family(kById), *EncodeId(in.id()),
        &stored_key);
    if (status.IsNotFound()) {
      texts[i] = IndexText(in.title(), in.body());
    } else if (!status.ok()) {
      return FromRocksDbStatus(status, "looking up the id index");
    }
  }

  StripeLocks locks(&stripes_, stripes);

  // The articles this batch touches, by id: new ones and stored ones that
  // gain a sighting. Written once each at the end.
  struct Touched {
    std::string key;
    v1::Article article;
    bool is_new = false;
    bool changed = false;
  };
  std::unordered_map<std::string, Touched> touched;
  rocksdb::WriteBatch batch;
  // New articles in order: item index and article key.
  std::vector<std::pair<int, std::string>> fresh_articles;
  std::vector<v1::PutResult> results(items.size());

  for (int i = 0; i < items.size(); ++i) {
    const v1::Article& in = items[i].article();
    const std::string id_key = *EncodeId(in.id());
    auto found = touched.find(in.id());
    if (found == touched.end()) {
      std::string stored_key;
      rocksdb::Status status = database_->db()->Get(
          rocksdb::ReadOptions(), database_->family(kById), id_key, &stored_key);
      if (status.ok()) {
        ASSIGN_OR_RETURN(v1::Article stored, ReadArticle(*database_, stored_key));
        found = touched.emplace(in.id(), Touched{stored_key, std::move(stored)})
                    .first;
      } else if (status.IsNotFound()) {
        Touched fresh;
        fresh.article = in;
        // A copy brings the sightings its store recorded; an arrival's own
        // are not its to give.
        if (!items[i].copy()) fresh.article.clear_sightings();
        fresh.is_new = true;
        const ArticlePosition at{in.published_at(), in.id()};
        fresh.key = ArticleKey(in.source(), at);
        batch.Put(database_->family(kById), id_key, fresh.key);
        batch.Put(database_->family(kByTime), TimeKey(at), in.source());
        batch.Put(database_->family(kArticleHeads), fresh.key,
                  ArticleHead(fresh.article).SerializeAsString());
        if (!in.url().empty()) batch.Put(database_->family(kByUrl), UrlKey(in.url(), at), "");
        if (items[i].minhash_size() > 0) {
          const std::vector<uint32_t> signature(items[i].minhash().begin(),
                                                items[i].minhash().end());
          near_duplicates_->Add(in.id(), id_key, in.published_at(), signature,
                                &batch);
        }
        batch.Merge(database_->family(kSourceStats), in.source(),
                    SourceCounters::ForArticle(ArticleBytes(in),
                                               in.published_at())
                        .Encode());
        if (!texts[i].has_value()) texts[i] = IndexText(in.title(), in.body());
        fresh_articles.emplace_back(i, fresh.key);
        results[i] = NewArticleResult(fresh.article);
        touched.emplace(in.id(), std::move(fresh));
        continue;
      } else {
        return FromRocksDbStatus(status, "looking up the id index");
      }
    }

    Touched& entry = found->second;
    // A duplicate. A repeat of an arrival already recorded (a retried Put,
    // or the same page fed again) adds nothing; a new one adds a sighting.
    if (ClassifyArrival(entry.article, in) == Arrival::kNew) {
      v1::Sighting* sighting = entry.article.add_sightings();
      sighting->set_source(in.source());
      sighting->set_url(in.url());
      *sighting->mutable_crawled_at() = in.crawled_at();
      entry.changed = true;
    }
    if (items[i].copy()) {
      // Copies merge: every sighting the other store recorded, once.
      for (const v1::Sighting& seen : in.sightings()) {
        v1::Article as_arrival;
        as_arrival.set_source(seen.source());
        as_arrival.set_url(seen.url());
        *as_arrival.mutable_crawled_at() = seen.crawled_at();
        if (ClassifyArrival(entry.article, as_arrival) != Arrival::kNew) continue;
        *entry.article.add_sightings() = seen;
        entry.changed = true;
      }
    }
    results[i].set_id(entry.article.id());
    results[i].set_outcome(v1::OUTCOME_DUPLICATE);
    results[i].set_duplicate_of(entry.article.id());
  }

  for (const auto& [id, entry] : touched) {
    if (entry.is_new || entry.changed) {
      batch.Put(database_->family(kArticles), entry.key, entry.article.SerializeAsString());
    }
  }
  if (batch.Count() == 0) return results;

  // Document numbers, and postings in the active segment (full_text_index.h).
  // Searches skip them until the batch is written.
  std::optional<FullTextIndex::Pending> pending;
  if (!fresh_articles.empty()) {
    std::vector<FullTextIndex::NewDocument> documents;
    documents.reserve(fresh_articles.size());
    for (const auto& [i, key] : fresh_articles) {
      documents.push_back({key, &*texts[i]});
    }
    ASSIGN_OR_RETURN(pending, index_->AddDocuments(documents, &batch));
  }

  rocksdb::WriteOptions write_options;
  write_options.sync = sync_;
  const absl::Status written = FromRocksDbStatus(
      database_->db()->Write(write_options, &batch), "writing the batch");
  if (pending.has_value()) index_->FinishDocuments(*pending, written.ok());
  RETURN_IF_ERROR(written);
  locks.Release();
  // The articles are stored whatever becomes of this: a segment that fails
  // to be written stays searchable in memory, is tried again by the next
  // Put, and its documents keep their unindexed markers.
  (void)index_->WriteSegment(/*force=*/false);
  return results;
}

absl::StatusOr<uint32_t> ArticleWriter::Delete(
    const google::protobuf::RepeatedPtrField<std::string>& ids) {
  std::vector<std::string> id_keys;
  std::vector<size_t> stripes;
  for (int i = 0; i < ids.size(); ++i) {
    std::optional<std::string> id_key = EncodeId(ids[i]);
    if (!id_key.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("ids[", i, "]: must be 32 lower-case hex digits"));
    }
    id_keys.push_back(*std::move(id_key));
    stripes.push_back(std::hash<std::string>()(ids[i]) % kLockStripes);
  }
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  StripeLocks locks(&stripes_, stripes);

  rocksdb::WriteBatch batch;
  std::vector<std::string> held;  // id keys of the articles removed
  std::vector<IndexedText> texts;  // and their documents' terms
  std::unordered_set<std::string> seen;
  for (int i = 0; i < ids.size(); ++i) {
    const std::string& id_key = id_keys[i];
    if (!seen.insert(id_key).second) continue;
    std::string key;
    const rocksdb::Status found = database_->db()->Get(
        rocksdb::ReadOptions(), database_->family(kById), id_key, &key);
    if (found.IsNotFound()) continue;
    RETURN_IF_ERROR(FromRocksDbStatus(found, "looking up the id index"));
    ASSIGN_OR_RETURN(v1::Article article, ReadArticle(*database_, key));
    const ArticlePosition at{article.published_at(), article.id()};
    batch.Delete(database_->family(kArticles), key);
    batch.Delete(database_->family(kArticleHeads), key);
    batch.Delete(database_->family(kById), id_key);
    batch.Delete(database_->family(kByTime), TimeKey(at));
    if (!article.url().empty()) {
      batch.Delete(database_->family(kByUrl), UrlKey(article.url(), at));
    }
    RETURN_IF_ERROR(near_duplicates_->Remove(article.id(), id_key, &batch));
    batch.Merge(database_->family(kSourceStats), article.source(),
                SourceCounters::ForRemoval(ArticleBytes(article)).Encode());
    held.push_back(id_key);
    texts.push_back(IndexText(article.title(), article.body()));
  }
  if (held.empty()) return 0;
  RETURN_IF_ERROR(index_->RemoveDocuments(held, texts, &batch, [&] {
    rocksdb::WriteOptions write_options;
    write_options.sync = sync_;
    return FromRocksDbStatus(database_->db()->Write(write_options, &batch),
                             "writing the deletion");
  }));
  return static_cast<uint32_t>(held.size());
}

}  // namespace archive::store
