// Splits normalized text into search terms: the words that ingest shingles
// and indexes and that query looks up, so both sides see the same terms.
//
// Words are found by ICU's word boundaries (UAX #29 with ICU's dictionaries,
// root locale), so space-separated scripts (Latin, Arabic, Korean) and
// unspaced ones (Japanese, Chinese, Thai) both split into words. Only segments
// that hold letters, numbers, kana or ideographs are kept; punctuation and
// spaces are not terms.
//
// A term is its word under NFKC_Casefold (Unicode's closure of NFKC and full
// case folding, ICU's Normalizer2::getNFKCCasefoldInstance), with the
// typographic apostrophes U+2018 and U+2019 as ASCII "'" ("Japan’s" and
// "Japan's" are one term). NFKC_Casefold rather than NFC + case folding: it
// also folds the compatibility variants that a search box and a news page may
// write differently (full-width Latin letters, half-width katakana, ligatures
// such as U+FB01 "fi", Arabic presentation forms) and drops default-ignorable
// characters, so a Persian word written with a ZWNJ and the same word typed
// without it are one term. Terms are therefore not for display; snippets cut
// the text at the byte offsets.
//
// Thread-safe: each thread tokenizes with its own clone of a shared ICU word
// iterator.
#ifndef COMMON_TOKENIZER_H_
#define COMMON_TOKENIZER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archive {

// One word of a text.
struct Token {
  // The search term (see above).
  std::string term;
  // Index among the text's tokens: 0, 1, 2, ...
  uint32_t position;
  // The word's bytes in the tokenized text: [begin, end).
  uint32_t begin;
  uint32_t end;
};

// The words of `normalized_utf8` (the output of NormalizeBody or
// NormalizeLine; ill-formed UTF-8 is read as U+FFFD and never a word), in
// order.
std::vector<Token> TokenizeWithOffsets(std::string_view normalized_utf8);

// The terms of TokenizeWithOffsets(normalized_utf8), in order.
std::vector<std::string> Tokenize(std::string_view normalized_utf8);

}  // namespace archive

#endif  // COMMON_TOKENIZER_H_
