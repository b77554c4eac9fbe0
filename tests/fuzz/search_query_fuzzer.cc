// Fuzzes the query language's parser (query/search_query.h) on the raw
// input bytes, as a search box would send them.
//
// Properties: every input is parsed or refused with INVALID_ARGUMENT and a
// message starting "query: "; a position an error names lies within the
// query (1 to its characters + 1). A parsed query is a tree the stores take
// (store/query_search.cc's checks): every AND has a must that lists
// matches, every OR's sides all list or all filter, no term is empty or
// holds 0x00, at most kMaxSearchTerms distinct words; its scored terms are
// distinct and non-empty; and a conjunctive one is words and phrases only.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "archive/v1/store.pb.h"
#include "query/search_query.h"
#include "tests/fuzz/fuzz_support.h"

namespace archive::fuzz {
namespace {

size_t CodePoints(std::string_view text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

bool ValidTerm(const std::string& term) {
  return !term.empty() && term.find('\0') == std::string::npos;
}

// Whether `node` lists matches (else it filters); checks it on the way.
bool CheckNode(const v1::QueryNode& node, int depth, std::set<std::string>* words,
               const std::string& input) {
  FUZZ_CHECK(depth <= 2 * query::kMaxQueryDepth + 2, input);
  switch (node.kind_case()) {
    case v1::QueryNode::kTerm:
      FUZZ_CHECK(ValidTerm(node.term()), input);
      words->insert(node.term());
      return true;
    case v1::QueryNode::kPhrase:
      FUZZ_CHECK(node.phrase().terms_size() >= 2, input);
      for (const std::string& term : node.phrase().terms()) {
        FUZZ_CHECK(ValidTerm(term), input);
        words->insert(term);
      }
      return true;
    case v1::QueryNode::kPrefix:
      FUZZ_CHECK(ValidTerm(node.prefix()), input);
      words->insert(node.prefix() + "*");
      return true;
    case v1::QueryNode::kSource:
      FUZZ_CHECK(!node.source().empty(), input);
      return false;
    case v1::QueryNode::kAll: {
      FUZZ_CHECK(node.all().must_size() > 0, input);
      bool lists = false;
      for (const v1::QueryNode& child : node.all().must()) {
        lists |= CheckNode(child, depth + 1, words, input);
      }
      for (const v1::QueryNode& child : node.all().must_not()) {
        CheckNode(child, depth + 1, words, input);
      }
      return lists;
    }
    case v1::QueryNode::kAny: {
      FUZZ_CHECK(node.any().should_size() >= 2, input);
      const bool first = CheckNode(node.any().should(0), depth + 1, words, input);
      for (const v1::QueryNode& child : node.any().should()) {
        FUZZ_CHECK(CheckNode(child, depth + 1, words, input) == first, input);
      }
      return first;
    }
    case v1::QueryNode::KIND_NOT_SET:
      break;
  }
  FUZZ_CHECK(false, input);
  return false;
}

void FuzzOne(std::string_view data) {
  const std::string input(data);
  absl::StatusOr<query::SearchQuery> parsed = query::ParseSearchQuery(input);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument, input);
    const std::string message(parsed.status().message());
    FUZZ_CHECK(message.rfind("query: ", 0) == 0, message);
    const size_t at = message.rfind(" at ");
    if (at != std::string::npos && message.find("UTF-8") == std::string::npos &&
        message.find_first_not_of("0123456789", at + 4) == std::string::npos &&
        at + 4 < message.size()) {
      const size_t position = std::stoul(message.substr(at + 4));
      FUZZ_CHECK(position >= 1 && position <= CodePoints(input) + 1, message);
    }
    return;
  }
  std::set<std::string> words;
  FUZZ_CHECK(CheckNode(parsed->root, 0, &words, input), input);
  FUZZ_CHECK(words.size() <= static_cast<size_t>(query::kMaxSearchTerms), input);
  std::set<std::string> scored;
  for (const std::string& term : parsed->terms) {
    FUZZ_CHECK(ValidTerm(term), input);
    FUZZ_CHECK(scored.insert(term).second, input);
  }
  if (parsed->conjunctive) {
    FUZZ_CHECK(!parsed->terms.empty(), input);
    const v1::QueryNode& root = parsed->root;
    if (root.has_all()) {
      FUZZ_CHECK(root.all().must_not_size() == 0, input);
      for (const v1::QueryNode& child : root.all().must()) {
        FUZZ_CHECK(child.has_term() || child.has_phrase(), input);
      }
    } else {
      FUZZ_CHECK(root.has_term() || root.has_phrase(), input);
    }
  }
}

}  // namespace
}  // namespace archive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  archive::fuzz::FuzzOne(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
