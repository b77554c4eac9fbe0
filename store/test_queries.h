// For the store's tests of the query language: random query trees of the
// kinds the query server's parser makes (terms, phrases, prefixes, sources,
// AND with exclusions, OR), random articles of a small skewed vocabulary,
// and the brute-force evaluation of a tree over an article's words that
// the tests hold the store's answers to. Test-only; one thread.
#ifndef STORE_TEST_QUERIES_H_
#define STORE_TEST_QUERIES_H_

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "archive/v1/article.pb.h"
#include "archive/v1/store.pb.h"

namespace archive::store {

extern const std::vector<std::string> kQueryWords;
extern const std::vector<std::string> kQueryPrefixes;
extern const std::vector<std::string> kQuerySources;

// What the brute force reads of an article.
struct Words {
  std::string id;
  std::string source;
  std::vector<std::string> title;
  std::vector<std::string> body;
};

// Whether the article holds `term`, in its title or its body.
bool HasTerm(const Words& words, const std::string& term);

// Whether `node` matches the article of `words`.
bool Evaluate(const v1::QueryNode& node, const Words& words);

// The scored terms of a tree: its terms and phrases' outside exclusions.
void ScoredTerms(const v1::QueryNode& node, std::set<std::string>* terms);

// The tree in one line of protobuf's text format, for failure messages.
std::string Text(const v1::QueryNode& node);

// Article number `i` of a random stream: a title of 2 or 3 and a body of 3
// to 14 words of kQueryWords (the first ones common, the last rare), then
// "article<i>" so that every body is distinct; one of kQuerySources; published
// within 1000 seconds of `published_base` (Unix seconds) plus `spread`
// seconds times a random fraction.
v1::Article RandomArticle(std::mt19937_64& random, int i, int64_t published_base,
                          int64_t spread = 1000);
// What the brute force reads of it.
Words WordsOf(const v1::Article& article);

// Random trees whose every node lists matches (as the query server's
// parser makes them): filters only beside words in an AND.
class QueryGenerator {
 public:
  explicit QueryGenerator(uint64_t seed) : random_(seed) {}

  v1::QueryNode Listing(int depth);

 private:
  v1::QueryNode Filter();
  // Skewed: the first words are common, the last rare.
  std::string Word();
  int Pick(size_t n) { return static_cast<int>(random_() % n); }

  std::mt19937_64 random_;
};

}  // namespace archive::store

#endif  // STORE_TEST_QUERIES_H_
