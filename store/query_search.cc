#include "store/query_search.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/article_rules.h"
#include "common/status_macros.h"
#include "store/full_text.h"
#include "store/query_matcher.h"
#include "store/search_hits.h"
#include "store/term_cursor.h"

namespace archive::store {
namespace {

// A search looks at the clock once every this many of its matches.
constexpr int kMatchesBetweenDeadlineChecks = 256;

// The words of a query tree: its terms (phrases' included, excluded ones
// too) and its prefixes.
struct QueryWords {
  std::vector<std::string> terms;
  std::vector<std::string> prefixes;

  size_t distinct() const { return terms.size() + prefixes.size(); }
  static void Add(const std::string& word, std::vector<std::string>* to) {
    if (std::find(to->begin(), to->end(), word) == to->end()) to->push_back(word);
  }
};

// Whether a node lists matches (words) or only filters them.
enum class Role { kLists, kFilters };

absl::Status NodeError(const std::string& path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
}

// Checks the tree under `node` (at `path`), collecting its words.
absl::StatusOr<Role> CheckNode(const v1::QueryNode& node, const std::string& path,
                               int depth, QueryWords* words) {
  if (depth > kMaxQueryNodeDepth) {
    return NodeError(path, absl::StrCat("nested deeper than ", kMaxQueryNodeDepth));
  }
  switch (node.kind_case()) {
    case v1::QueryNode::kTerm:
      RETURN_IF_ERROR(ValidateTerm(node.term(), path + ".term"));
      QueryWords::Add(node.term(), &words->terms);
      return Role::kLists;
    case v1::QueryNode::kPhrase:
      if (node.phrase().terms().empty()) return NodeError(path + ".phrase.terms", "empty");
      for (int i = 0; i < node.phrase().terms_size(); ++i) {
        RETURN_IF_ERROR(ValidateTerm(node.phrase().terms(i),
                                     absl::StrCat(path, ".phrase.terms[", i, "]")));
        QueryWords::Add(node.phrase().terms(i), &words->terms);
      }
      return Role::kLists;
    case v1::QueryNode::kPrefix:
      RETURN_IF_ERROR(ValidateTerm(node.prefix(), path + ".prefix"));
      QueryWords::Add(node.prefix(), &words->prefixes);
      return Role::kLists;
    case v1::QueryNode::kSource:
      RETURN_IF_ERROR(ValidateSource(node.source(), path + ".source"));
      return Role::kFilters;
    case v1::QueryNode::kAll: {
      const v1::QueryAll& all = node.all();
      bool lists = false;
      for (int i = 0; i < all.must_size(); ++i) {
        ASSIGN_OR_RETURN(const Role role,
                         CheckNode(all.must(i), absl::StrCat(path, ".all.must[", i, "]"),
                                   depth + 1, words));
        lists |= role == Role::kLists;
      }
      for (int i = 0; i < all.must_not_size(); ++i) {
        RETURN_IF_ERROR(CheckNode(all.must_not(i),
                                  absl::StrCat(path, ".all.must_not[", i, "]"), depth + 1,
                                  words)
                            .status());
      }
      if (all.must().empty()) return NodeError(path + ".all.must", "empty");
      return lists ? Role::kLists : Role::kFilters;
    }
    case v1::QueryNode::kAny: {
      const v1::QueryAny& any = node.any();
      if (any.should().empty()) return NodeError(path + ".any.should", "empty");
      std::optional<Role> first;
      for (int i = 0; i < any.should_size(); ++i) {
        const std::string at = absl::StrCat(path, ".any.should[", i, "]");
        ASSIGN_OR_RETURN(const Role role, CheckNode(any.should(i), at, depth + 1, words));
        if (first.has_value() && role != *first) {
          return NodeError(at, "a filter beside words (or words beside a filter)");
        }
        first = role;
      }
      return *first;
    }
    case v1::QueryNode::KIND_NOT_SET:
      break;
  }
  return NodeError(path, "no kind of node set");
}

// Builds the matchers of a checked tree over one captured view.
class MatcherBuilder {
 public:
  MatcherBuilder(const FullTextIndex::View& view, const TermCursor::StoredLists& stored,
                 const std::vector<std::string>& captured,
                 const std::vector<std::string>& scored, const std::vector<double>& idf,
                 const Bm25& bm25, const DocumentTable& documents,
                 const absl::flat_hash_map<std::string, std::vector<std::string>>& expansions)
      : view_(view),
        stored_(stored),
        scored_(scored),
        idf_(idf),
        bm25_(bm25),
        documents_(documents),
        expansions_(expansions) {
    for (size_t i = 0; i < captured.size(); ++i) captured_index_[captured[i]] = i;
  }

  std::unique_ptr<Matcher> Build(const v1::QueryNode& node, bool excluded) const {
    switch (node.kind_case()) {
      case v1::QueryNode::kTerm:
        return TermMatcher(Cursor(node.term()), Scored(node.term(), excluded));
      case v1::QueryNode::kPhrase: {
        if (node.phrase().terms_size() == 1) {
          const std::string& term = node.phrase().terms(0);
          return TermMatcher(Cursor(term), Scored(term, excluded));
        }
        std::vector<std::unique_ptr<TermCursor>> cursors;
        std::vector<int> scored;
        for (const std::string& term : node.phrase().terms()) {
          cursors.push_back(Cursor(term));
          scored.push_back(Scored(term, excluded));
        }
        return PhraseMatcher(std::move(cursors), std::move(scored));
      }
      case v1::QueryNode::kPrefix: {
        const std::vector<std::string>& terms = expansions_.at(node.prefix());
        if (terms.empty()) return EmptyMatcher();
        std::vector<std::unique_ptr<Matcher>> any;
        for (const std::string& term : terms) any.push_back(TermMatcher(Cursor(term), -1));
        return any.size() == 1 ? std::move(any[0]) : AnyMatcher(std::move(any));
      }
      case v1::QueryNode::kSource:
        return SourceMatcher(&documents_, documents_.FindSource(node.source()));
      case v1::QueryNode::kAll: {
        std::vector<std::unique_ptr<Matcher>> must, must_not;
        for (const v1::QueryNode& child : node.all().must()) {
          must.push_back(Build(child, excluded));
        }
        for (const v1::QueryNode& child : node.all().must_not()) {
          must_not.push_back(Build(child, /*excluded=*/true));
        }
        return AllMatcher(std::move(must), std::move(must_not));
      }
      case v1::QueryNode::kAny: {
        std::vector<std::unique_ptr<Matcher>> should;
        for (const v1::QueryNode& child : node.any().should()) {
          should.push_back(Build(child, excluded));
        }
        return should.size() == 1 ? std::move(should[0]) : AnyMatcher(std::move(should));
      }
      case v1::QueryNode::KIND_NOT_SET:
        break;
    }
    return EmptyMatcher();  // CheckNode refuses it first
  }

 private:
  // The index of `term` among the scored terms, or -1.
  int Scored(const std::string& term, bool excluded) const {
    if (excluded) return -1;
    auto found = std::lower_bound(scored_.begin(), scored_.end(), term);
    if (found == scored_.end() || *found != term) return -1;
    return static_cast<int>(found - scored_.begin());
  }

  std::unique_ptr<TermCursor> Cursor(const std::string& term) const {
    const size_t i = captured_index_.at(term);
    TermCursor::MemoryLists memory;
    if (view_.frozen != nullptr) memory.frozen = view_.frozen->postings.Find(term);
    const std::optional<FullTextIndex::View::Copied>& active = view_.active[i];
    if (active.has_value()) {
      memory.active_documents = &active->documents;
      memory.active_positions = &active->positions;
    }
    const int scored = Scored(term, /*excluded=*/false);
    const double idf = scored >= 0 ? idf_[scored] : 0;
    return std::make_unique<TermCursor>(stored_, term, TermCursor::Weight{idf, &bm25_},
                                        memory);
  }

  const FullTextIndex::View& view_;
  const TermCursor::StoredLists& stored_;
  const std::vector<std::string>& scored_;
  const std::vector<double>& idf_;
  const Bm25& bm25_;
  const DocumentTable& documents_;
  const absl::flat_hash_map<std::string, std::vector<std::string>>& expansions_;
  absl::flat_hash_map<std::string, size_t> captured_index_;
};

// A checked tree with its prefixes expanded and the index captured for
// every term its cursors read.
struct PreparedQuery {
  std::vector<std::string> captured;
  absl::flat_hash_map<std::string, std::vector<std::string>> expansions;
  std::unique_ptr<FullTextIndex::View> view;
};

// Checks `tree` and captures `index` for it; `scored` (the terms scores are
// summed over) come first among the captured terms, for the statistics.
absl::StatusOr<PreparedQuery> Prepare(const FullTextIndex& index, const v1::QueryNode& tree,
                                      const std::vector<std::string>& scored) {
  QueryWords words;
  ASSIGN_OR_RETURN(const Role role, CheckNode(tree, "query", 0, &words));
  if (role != Role::kLists) {
    return NodeError("query", "only filters: a query needs words to search for");
  }
  if (words.distinct() > static_cast<size_t>(kMaxSearchTerms)) {
    return NodeError("query", absl::StrCat(words.distinct(),
                                           " distinct terms and prefixes, more than ",
                                           kMaxSearchTerms));
  }
  // The terms every cursor reads: the scored ones first (the statistics'),
  // then the rest and the prefixes' expansions.
  PreparedQuery prepared;
  prepared.captured = scored;
  for (const std::string& term : words.terms) QueryWords::Add(term, &prepared.captured);
  for (const std::string& prefix : words.prefixes) {
    ASSIGN_OR_RETURN(std::vector<std::string> terms,
                     index.TermsWithPrefix(prefix, kMaxPrefixTerms));
    if (terms.size() > kMaxPrefixTerms) {
      return absl::InvalidArgumentError(
          absl::StrCat("query: more than ", kMaxPrefixTerms, " words start with \"",
                       prefix, "\": make the prefix* longer"));
    }
    for (const std::string& term : terms) QueryWords::Add(term, &prepared.captured);
    prepared.expansions[prefix] = std::move(terms);
  }
  prepared.view = index.Capture(prepared.captured, /*copy_lists=*/true);
  return prepared;
}

}  // namespace

QuerySearch::Matches::~Matches() = default;

absl::StatusOr<std::unique_ptr<QuerySearch::Matches>> QuerySearch::Match(
    const v1::QueryNode& tree) const {
  ASSIGN_OR_RETURN(PreparedQuery prepared, Prepare(*index_, tree, {}));
  auto matches = absl::WrapUnique(new Matches());
  matches->view_ = std::move(prepared.view);
  matches->stored_ = StoredListsOf(*database_, *matches->view_);
  const std::vector<std::string> no_scored_terms;
  const std::vector<double> no_idf;
  const MatcherBuilder builder(*matches->view_, matches->stored_, prepared.captured,
                               no_scored_terms, no_idf, matches->unscored_,
                               index_->documents(), prepared.expansions);
  matches->root_ = builder.Build(tree, /*excluded=*/false);
  return matches;
}

absl::Status QuerySearch::Run(const v1::SearchRequest& request,
                              v1::SearchResponse* response, absl::Time deadline) const {
  ASSIGN_OR_RETURN(const SearchQuery query, ParseSearchRequest(request));
  ASSIGN_OR_RETURN(const PreparedQuery prepared, Prepare(*index_, request.query(), query.terms));
  const FullTextIndex::View& view = *prepared.view;
  ASSIGN_OR_RETURN(const SearchScoring scoring,
                   ScoringOf(*index_, view, query.terms, request, response));
  const Bm25& bm25 = scoring.bm25;
  const std::vector<double>& idf = scoring.idf;

  const DocumentTable& documents = index_->documents();
  const SearchFilter filter(documents, query);
  if (!filter.CanMatch()) return ReadHits(*database_, {}, request, 0, 0, response);
  const TermCursor::StoredLists stored = StoredListsOf(*database_, view);
  const MatcherBuilder builder(view, stored, prepared.captured, query.terms, idf, bm25,
                               documents, prepared.expansions);
  std::unique_ptr<Matcher> root = builder.Build(request.query(), /*excluded=*/false);

  HitCollector top(documents, query);
  std::vector<uint32_t> frequencies(query.terms.size());
  root->SkipTo(0);
  for (int steps = 1; root->Valid(); ++steps, root->Next()) {
    if (steps % kMatchesBetweenDeadlineChecks == 0 && absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("search: deadline passed after ", steps, " matches"));
    }
    const uint64_t document = root->document();
    ASSIGN_OR_RETURN(const std::optional<uint32_t> length, filter.Admit(document));
    if (!length.has_value()) continue;
    std::fill(frequencies.begin(), frequencies.end(), 0);
    root->Collect(document, &frequencies);
    const double norm = bm25.LengthNorm(*length);
    double score = 0;
    for (size_t i = 0; i < frequencies.size(); ++i) {
      if (frequencies[i] > 0) score += Bm25::TermScoreWithNorm(idf[i], frequencies[i], norm);
    }
    top.Offer(document, score);
  }
  RETURN_IF_ERROR(root->status());
  const size_t matched_after = top.offered();
  const uint64_t matched = top.matched();
  return ReadHits(*database_, top.Take(), request, matched_after, matched, response);
}

}  // namespace archive::store
