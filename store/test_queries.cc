#include "store/test_queries.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/testing/article_factory.h"
#include "common/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace archive::store {

const std::vector<std::string> kQueryWords = {"alpha",  "alpine", "beta",    "gamma", "delta",
                                              "deltas", "echo",   "foxtrot", "golf",  "hotel"};
const std::vector<std::string> kQueryPrefixes = {"al", "delta", "g", "zz", "e"};
const std::vector<std::string> kQuerySources = {"a.com", "b.com", "c.com"};

bool HasTerm(const Words& words, const std::string& term) {
  return std::count(words.title.begin(), words.title.end(), term) +
             std::count(words.body.begin(), words.body.end(), term) >
         0;
}

namespace {

bool HasPhrase(const std::vector<std::string>& text, const v1::Phrase& phrase) {
  const size_t n = phrase.terms_size();
  for (size_t start = 0; start + n <= text.size(); ++start) {
    bool all = true;
    for (size_t j = 0; j < n && all; ++j) all = text[start + j] == phrase.terms(j);
    if (all) return true;
  }
  return false;
}

}  // namespace

bool Evaluate(const v1::QueryNode& node, const Words& words) {
  switch (node.kind_case()) {
    case v1::QueryNode::kTerm:
      return HasTerm(words, node.term());
    case v1::QueryNode::kPhrase:
      return HasPhrase(words.title, node.phrase()) || HasPhrase(words.body, node.phrase());
    case v1::QueryNode::kPrefix:
      for (const auto* text : {&words.title, &words.body}) {
        for (const std::string& term : *text) {
          if (absl::StartsWith(term, node.prefix())) return true;
        }
      }
      return false;
    case v1::QueryNode::kSource:
      return words.source == node.source();
    case v1::QueryNode::kAll:
      for (const v1::QueryNode& child : node.all().must()) {
        if (!Evaluate(child, words)) return false;
      }
      for (const v1::QueryNode& child : node.all().must_not()) {
        if (Evaluate(child, words)) return false;
      }
      return true;
    case v1::QueryNode::kAny:
      for (const v1::QueryNode& child : node.any().should()) {
        if (Evaluate(child, words)) return true;
      }
      return false;
    case v1::QueryNode::KIND_NOT_SET:
      break;
  }
  return false;
}

void ScoredTerms(const v1::QueryNode& node, std::set<std::string>* terms) {
  switch (node.kind_case()) {
    case v1::QueryNode::kTerm:
      terms->insert(node.term());
      return;
    case v1::QueryNode::kPhrase:
      terms->insert(node.phrase().terms().begin(), node.phrase().terms().end());
      return;
    case v1::QueryNode::kAll:
      for (const v1::QueryNode& child : node.all().must()) ScoredTerms(child, terms);
      return;
    case v1::QueryNode::kAny:
      for (const v1::QueryNode& child : node.any().should()) ScoredTerms(child, terms);
      return;
    default:
      return;
  }
}

std::string Text(const v1::QueryNode& node) {
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  std::string out;
  printer.PrintToString(node, &out);
  return out;
}

v1::QueryNode QueryGenerator::Listing(int depth) {
  v1::QueryNode node;
  const int kind = Pick(depth >= 3 ? 3 : 6);
  switch (kind) {
    case 0:
    case 1:
      node.set_term(Word());
      break;
    case 2: {
      const int length = 2 + Pick(2);
      for (int i = 0; i < length; ++i) node.mutable_phrase()->add_terms(Word());
      break;
    }
    case 3:
      node.set_prefix(kQueryPrefixes[Pick(kQueryPrefixes.size())]);
      break;
    case 4: {
      v1::QueryAll* all = node.mutable_all();
      const int musts = 1 + Pick(2);
      for (int i = 0; i < musts; ++i) *all->add_must() = Listing(depth + 1);
      if (Pick(3) == 0) *all->add_must() = Filter();
      const int nots = Pick(3);
      for (int i = 0; i < nots; ++i) *all->add_must_not() = Listing(depth + 1);
      break;
    }
    default: {
      const int shoulds = 2 + Pick(2);
      for (int i = 0; i < shoulds; ++i) {
        *node.mutable_any()->add_should() = Listing(depth + 1);
      }
      break;
    }
  }
  return node;
}

v1::QueryNode QueryGenerator::Filter() {
  v1::QueryNode node;
  if (Pick(2) == 0) {
    node.set_source(kQuerySources[Pick(kQuerySources.size())]);
  } else {
    node.mutable_any()->add_should()->set_source(kQuerySources[0]);
    node.mutable_any()->add_should()->set_source(kQuerySources[1 + Pick(2)]);
  }
  return node;
}
std::string QueryGenerator::Word() {
  const size_t a = Pick(kQueryWords.size()), b = Pick(kQueryWords.size());
  return kQueryWords[std::min(a, b)];
}

v1::Article RandomArticle(std::mt19937_64& random, int i, int64_t published_base, int64_t spread) {
  auto word = [&] {
    const size_t a = random() % kQueryWords.size(), b = random() % kQueryWords.size();
    return kQueryWords[std::min(a, b)];
  };
  std::string title = word(), body;
  for (size_t w = 1 + random() % 2; w > 0; --w) title += " " + word();
  for (size_t w = 3 + random() % 12; w > 0; --w) body += word() + " ";
  body += absl::StrCat("article", i);  // every body distinct
  const std::string& source = kQuerySources[random() % kQuerySources.size()];
  return testing::MakeArticle(source, title, body,
                              published_base + static_cast<int64_t>(random() % spread));
}

Words WordsOf(const v1::Article& article) {
  return {article.id(), article.source(), Tokenize(article.title()), Tokenize(article.body())};
}

}  // namespace archive::store
