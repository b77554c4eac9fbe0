#include "tests/bench/vocabulary.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "common/stable_hash.h"

namespace archive::bench {
namespace {

// Roughly in order of frequency in English newswire.
// clang-format off
constexpr const char* kRealWords[] = {
    "the", "of", "to", "and", "a", "in", "said", "for", "that", "on", "is", "was",
    "with", "he", "it", "as", "at", "by", "from", "his", "be", "have", "has", "but",
    "are", "an", "not", "they", "were", "had", "who", "this", "will", "their", "its",
    "been", "would", "after", "which", "year", "more", "also", "new", "one", "or",
    "two", "about", "she", "her", "people", "we", "there", "than", "up", "first",
    "last", "over", "government", "all", "when", "out", "into", "years", "president",
    "could", "other", "time", "state", "some", "minister", "police", "against", "told",
    "three", "if", "because", "no", "can", "percent", "million", "while", "so",
    "country", "week", "before", "what", "may", "between", "since", "during",
    "officials", "most", "city", "under", "group", "united", "national", "former",
    "only", "day", "including", "says", "i", "our", "them", "security", "him",
    "company", "should", "back", "report", "public", "party", "according", "world",
    "now", "second", "many", "four", "made", "well", "court", "military", "where",
    "being", "any", "market", "officials", "war", "through", "billion", "month",
    "early", "take", "just", "did", "do", "foreign", "south", "north", "like",
    "international", "then", "house", "local", "five", "these", "prime", "election",
    "how", "political", "economic", "news", "support", "end", "both", "told", "those",
    "league", "part", "team", "make", "next", "again", "while", "still", "statement",
    "office", "forces", "region", "health", "even", "leader", "plan", "members", "long",
    "called", "policy", "agency", "meeting", "own", "held", "children", "power",
    "percent", "high", "set", "help", "per", "chief", "general", "ministry", "such",
    "added", "home", "season", "deal", "expected", "top", "capital", "border", "oil",
    "money", "later", "trade", "bank", "water", "economy", "six", "killed", "life",
    "due", "among", "around", "need", "already", "left", "area", "de", "far", "council",
    "way", "school", "rights", "least", "took", "family", "conference", "added",
    "major", "law", "another", "services", "prices", "whether", "without", "think",
    "continue", "best", "growth", "media", "system", "director", "human", "recent",
    "spokesman", "good", "go", "open", "american", "european", "china", "russia",
    "japan", "india", "britain", "israel", "iran", "saudi", "egypt", "ukraine",
    "france", "germany", "korea", "africa", "washington", "london", "beijing", "moscow",
    "paris", "tokyo", "cairo", "riyadh", "sunday", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "january", "february", "march", "april", "june",
    "july", "august", "september", "october", "november", "december", "budget", "tax",
    "energy", "climate", "vote", "voters", "campaign", "parliament", "senate",
    "congress", "opposition", "protest", "attack", "troops", "ceasefire", "talks",
    "summit", "agreement", "sanctions", "investment", "inflation", "interest", "rates",
    "shares", "stocks", "investors", "companies", "industry", "workers", "jobs",
    "students", "hospital", "doctors", "patients", "vaccine", "virus", "disease",
    "police", "arrested", "charged", "trial", "judge", "prison", "crime", "fire",
    "flood", "earthquake", "storm", "rain", "weather", "coast", "village", "town",
    "province", "capital", "airport", "flight", "train", "road", "bridge", "ship",
    "port", "fuel", "gas", "electricity", "nuclear", "missile", "drone", "army", "navy",
    "soldiers", "fighters", "refugees", "aid", "food", "farmers", "wheat", "exports",
    "imports", "growth", "quarter", "profit", "revenue", "sales", "price", "cost",
    "debt", "loan", "fund", "currency", "dollar", "euro", "central", "federal",
    "regional", "royal", "king", "crown", "prince", "queen", "embassy", "ambassador",
    "diplomats", "negotiations", "committee", "commission", "board", "chairman",
    "executive", "official", "spokeswoman", "analyst", "expert", "study", "research",
    "university", "science", "technology", "internet", "phone", "data", "software",
    "football", "match", "cup", "goal", "coach", "players", "win", "won", "lost",
    "final", "championship", "olympic", "film", "music", "festival", "art", "museum",
    "book", "history", "culture", "religious", "church", "mosque", "women", "men",
    "young", "old", "million", "thousands", "hundreds", "dozens", "several", "number",
    "level", "record", "rise", "fell", "rose", "increase", "decline", "cut", "reform",
    "crisis", "risk", "threat", "warning", "decision", "announced", "reported",
    "confirmed", "denied", "accused", "urged", "called", "pledged", "agreed",
    "rejected", "launched", "signed", "visited", "met", "discussed", "stressed",
    "noted", "explained", "believe", "want", "give", "come", "see", "know", "get",
    "say", "used", "found", "show", "become", "keep", "began", "began", "across",
    "within", "toward", "despite", "following", "ahead", "amid", "near", "outside",
    "inside", "further",
};
// clang-format on

// Pieces of made-up words, the plain ones listed more often so that words
// come out about as long as English ones (five or six letters).
constexpr const char* kOnsets[] = {
    "b",  "c",  "d",  "f",  "g",  "h",  "k",  "l",  "m",  "n",  "p",
    "r",  "s",  "t",  "v",  "w",  "b",  "c",  "d",  "g",  "l",  "m",
    "n",  "p",  "r",  "s",  "t",  "br", "cr", "dr", "fr", "gr", "pr",
    "tr", "st", "sh", "ch", "th", "bl", "pl", "sl", "j",  "z",  "",
};
constexpr const char* kVowels[] = {"a", "e", "i", "o",  "u",  "a",  "e",  "i",
                                   "o", "a", "e", "ai", "ea", "ou", "io", "y"};
constexpr const char* kCodas[] = {"",  "",  "",  "",  "",   "",   "n",  "r",
                                  "s", "l", "t", "m", "nd", "st", "rt", "ng"};

template <typename T, size_t N>
constexpr size_t Count(const T (&)[N]) {
  return N;
}

}  // namespace

std::string PseudoWord(uint64_t bits) {
  std::string word;
  uint64_t state = Mix64(bits);
  const uint64_t length = state % 20;  // 1 syllable: 10%, 2: 60%, 3: 30%
  const int syllables = length < 2 ? 1 : length < 14 ? 2 : 3;
  for (int s = 0; s < syllables; ++s) {
    state = Mix64(state + 0x9e3779b97f4a7c15ULL);
    word += kOnsets[state % Count(kOnsets)];
    word += kVowels[(state >> 16) % Count(kVowels)];
    if (s == syllables - 1 || (state >> 32) % 4 == 0) {
      word += kCodas[(state >> 40) % Count(kCodas)];
    }
  }
  return word;
}

Vocabulary::Vocabulary(size_t size, double exponent) {
  std::unordered_set<std::string> seen;
  for (const char* word : kRealWords) {
    if (seen.insert(word).second) words_.push_back(word);
  }
  for (uint64_t bits = 0; words_.size() < size; ++bits) {
    std::string word = PseudoWord(bits);
    if (word.size() >= 4 && seen.insert(word).second) {
      words_.push_back(std::move(word));
    }
  }
  cumulative_.resize(words_.size());
  double total = 0;
  for (size_t rank = 0; rank < words_.size(); ++rank) {
    total += 1.0 / std::pow(static_cast<double>(rank + 1), exponent);
    cumulative_[rank] = total;
  }
  for (double& c : cumulative_) c /= total;
  cumulative_.back() = 1.0;
}

size_t Vocabulary::RankFor(double u) const {
  const auto at = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  return std::min(static_cast<size_t>(at - cumulative_.begin()), words_.size() - 1);
}

double Vocabulary::Probability(size_t rank) const {
  return rank == 0 ? cumulative_[0] : cumulative_[rank] - cumulative_[rank - 1];
}

}  // namespace archive::bench
