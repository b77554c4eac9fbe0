#include "store/full_text.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/article_rules.h"
#include "common/article_view.h"
#include "common/hit_order.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "common/tokenizer.h"
#include "store/article_key.h"

namespace archive::store {
namespace {

void AddTerms(std::string_view text, uint32_t first_position,
              IndexedText* indexed) {
  std::vector<std::string> terms = Tokenize(text);
  for (size_t i = 0; i < terms.size(); ++i) {
    if (terms[i].size() > kMaxIndexedTermBytes) continue;
    indexed->positions[std::move(terms[i])].push_back(first_position +
                                                      static_cast<uint32_t>(i));
  }
  indexed->length += static_cast<uint32_t>(terms.size());
}

}  // namespace

IndexedText IndexText(std::string_view title, std::string_view body) {
  IndexedText indexed;
  AddTerms(title, 0, &indexed);
  AddTerms(body, indexed.length + kTitleBodyGap, &indexed);
  return indexed;
}

bool ContainsPhrase(
    const std::vector<const std::vector<uint32_t>*>& term_positions) {
  if (term_positions.empty()) return true;
  for (uint32_t first : *term_positions[0]) {
    bool found = true;
    for (size_t j = 1; j < term_positions.size() && found; ++j) {
      found = std::binary_search(term_positions[j]->begin(),
                                 term_positions[j]->end(),
                                 first + static_cast<uint32_t>(j));
    }
    if (found) return true;
  }
  return false;
}

Bm25::Bm25(uint64_t document_count, uint64_t total_terms)
    : document_count_(
          static_cast<double>(std::max<uint64_t>(document_count, 1))),
      average_length_(static_cast<double>(total_terms) / document_count_) {}

double Bm25::Idf(uint64_t document_frequency) const {
  const double df =
      std::min(static_cast<double>(document_frequency), document_count_);
  return std::log(1.0 + (document_count_ - df + 0.5) / (df + 0.5));
}

bool RanksBefore(const RankedHit& a, const RankedHit& b) {
  // The key codec's bytes of time and id sort as published_at and id do.
  const std::string_view a_document(a.document);
  const std::string_view b_document(b.document);
  return HitRanksBefore(a.score, a_document.substr(0, kTimeKeyLength),
                        a_document.substr(kTimeKeyLength), b.score,
                        b_document.substr(0, kTimeKeyLength),
                        b_document.substr(kTimeKeyLength));
}

void TopHits::Offer(RankedHit hit) {
  ++offered_;
  if (limit_ == 0) return;
  if (heap_.size() < limit_) {
    heap_.push(std::move(hit));
  } else if (RanksBefore(hit, heap_.top())) {
    heap_.pop();
    heap_.push(std::move(hit));
  }
}

std::vector<RankedHit> TopHits::Take() {
  std::vector<RankedHit> hits;
  hits.reserve(heap_.size());
  while (!heap_.empty()) {
    hits.push_back(heap_.top());
    heap_.pop();
  }
  std::reverse(hits.begin(), hits.end());
  return hits;
}

absl::Status ValidateTerm(std::string_view term, std::string_view field) {
  if (term.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": empty"));
  }
  if (term.find('\0') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": contains 0x00"));
  }
  return absl::OkStatus();
}

absl::Status ParseSearchFilters(const std::string& source,
                                const google::protobuf::Timestamp* start_time,
                                const google::protobuf::Timestamp* end_time,
                                SearchQuery* query) {
  if (!source.empty()) {
    RETURN_IF_ERROR(ValidateSource(source, "source"));
    query->source = source;
  }
  if (start_time != nullptr) {
    RETURN_IF_ERROR(ValidateTimestampNanos(*start_time, "start_time"));
    query->start_time = EncodeTime(*start_time);
  }
  if (end_time != nullptr) {
    RETURN_IF_ERROR(ValidateTimestampNanos(*end_time, "end_time"));
    query->end_time = EncodeTime(*end_time);
  }
  if (query->start_time.has_value() && query->end_time.has_value() &&
      *query->start_time > *query->end_time) {
    return absl::InvalidArgumentError("start_time: after end_time");
  }
  return absl::OkStatus();
}

absl::StatusOr<SearchQuery> ParseSearchRequest(
    const v1::SearchRequest& request) {
  if (request.has_query()) {
    if (!request.phrases().empty()) {
      return absl::InvalidArgumentError("phrases: not with a query (it holds them)");
    }
  } else if (request.terms().empty() && request.phrases().empty()) {
    return absl::InvalidArgumentError(
        "terms: a search needs at least one term or phrase");
  }
  RETURN_IF_ERROR(ValidateArticleView(request.view()));
  SearchQuery query;
  for (int i = 0; i < request.terms_size(); ++i) {
    RETURN_IF_ERROR(
        ValidateTerm(request.terms(i), absl::StrCat("terms[", i, "]")));
    query.terms.push_back(request.terms(i));
  }
  for (int i = 0; i < request.phrases_size(); ++i) {
    const v1::Phrase& phrase = request.phrases(i);
    if (phrase.terms().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("phrases[", i, "].terms: empty"));
    }
    for (int j = 0; j < phrase.terms_size(); ++j) {
      RETURN_IF_ERROR(ValidateTerm(
          phrase.terms(j), absl::StrCat("phrases[", i, "].terms[", j, "]")));
      query.terms.push_back(phrase.terms(j));
    }
  }
  std::sort(query.terms.begin(), query.terms.end());
  query.terms.erase(std::unique(query.terms.begin(), query.terms.end()),
                    query.terms.end());
  if (query.terms.size() > static_cast<size_t>(kMaxSearchTerms)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "terms: ", query.terms.size(),
        " distinct terms with the phrases', more than ", kMaxSearchTerms));
  }
  for (const v1::Phrase& phrase : request.phrases()) {
    std::vector<size_t>& indexes = query.phrases.emplace_back();
    for (const std::string& term : phrase.terms()) {
      indexes.push_back(
          std::lower_bound(query.terms.begin(), query.terms.end(), term) -
          query.terms.begin());
    }
  }

  RETURN_IF_ERROR(ParseSearchFilters(request.source(),
                                     request.has_start_time() ? &request.start_time() : nullptr,
                                     request.has_end_time() ? &request.end_time() : nullptr,
                                     &query));

  if (request.limit() < 0) {
    return absl::InvalidArgumentError("limit: must not be negative");
  }
  if (request.limit() > 0)
    query.limit = std::min(request.limit(), kMaxSearchLimit);

  if (request.has_after()) {
    const v1::SearchCursor& after = request.after();
    if (std::isnan(after.score())) {
      return absl::InvalidArgumentError("after.score: not a number");
    }
    RETURN_IF_ERROR(
        ValidateTimestampNanos(after.published_at(), "after.published_at"));
    std::optional<std::string> id = EncodeId(after.id());
    if (!id.has_value()) {
      return absl::InvalidArgumentError(
          "after.id: must be 32 lower-case hex digits");
    }
    query.after =
        RankedHit{after.score(), EncodeTime(after.published_at()) + *id, ""};
  }
  return query;
}

}  // namespace archive::store
