#include "common/tokenizer.h"

#include <limits>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "common/mutex.h"
#include "common/logging.h"
#include "unicode/brkiter.h"
#include "unicode/bytestream.h"
#include "unicode/locid.h"
#include "unicode/normalizer2.h"
#include "unicode/stringpiece.h"
#include "unicode/ubrk.h"
#include "unicode/utext.h"
#include "unicode/utypes.h"

namespace archive {
namespace {

// ICU's root-locale word iterator, built on first use. It is only ever
// cloned; each thread iterates with its own clone.
Mutex word_iterator_mutex;
icu::BreakIterator* word_iterator_prototype
    ABSL_GUARDED_BY(word_iterator_mutex) = nullptr;

std::unique_ptr<icu::BreakIterator> NewWordIterator() {
  MutexLock lock(&word_iterator_mutex);
  if (word_iterator_prototype == nullptr) {
    UErrorCode error = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> prototype(
        icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), error));
    if (U_FAILURE(error) || prototype == nullptr) {
      ARCHIVE_LOG(ERROR) << "ICU word iterator unavailable: "
                         << u_errorName(error);
      return nullptr;
    }
    word_iterator_prototype = prototype.release();
  }
  return std::unique_ptr<icu::BreakIterator>(word_iterator_prototype->clone());
}

icu::BreakIterator* ThreadWordIterator() {
  thread_local std::unique_ptr<icu::BreakIterator> iterator;
  if (iterator == nullptr) iterator = NewWordIterator();
  return iterator.get();
}

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Replaces the typographic apostrophes U+2018 and U+2019, which word breaking
// keeps inside a word as it keeps "'", by "'".
void UseAsciiApostrophes(std::string& term) {
  std::string::size_type from = 0;
  while ((from = term.find("\xE2\x80", from)) != std::string::npos) {
    if (from + 2 < term.size() &&
        (term[from + 2] == '\x98' || term[from + 2] == '\x99')) {
      term.replace(from, 3, "'");
      ++from;
    } else {
      from += 2;
    }
  }
}

std::string TermOf(const icu::Normalizer2& nfkc_casefold,
                   std::string_view word) {
  std::string term;
  if (IsAscii(word)) {
    // NFKC_Casefold of ASCII text is its lower case.
    term.assign(word);
    for (char& c : term) {
      if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    }
    return term;
  }
  UErrorCode error = U_ZERO_ERROR;
  icu::StringByteSink<std::string> sink(&term,
                                        static_cast<int32_t>(word.size()));
  nfkc_casefold.normalizeUTF8(
      0, icu::StringPiece(word.data(), static_cast<int32_t>(word.size())), sink,
      nullptr, error);
  if (U_FAILURE(error)) return std::string();
  UseAsciiApostrophes(term);
  return term;
}

}  // namespace

std::vector<Token> TokenizeWithOffsets(std::string_view normalized_utf8) {
  std::vector<Token> tokens;
  if (normalized_utf8.empty() ||
      normalized_utf8.size() >
          static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return tokens;
  }
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_casefold =
      icu::Normalizer2::getNFKCCasefoldInstance(error);
  icu::BreakIterator* words = ThreadWordIterator();
  if (U_FAILURE(error) || words == nullptr) return tokens;

  icu::LocalUTextPointer text(
      utext_openUTF8(nullptr, normalized_utf8.data(),
                     static_cast<int64_t>(normalized_utf8.size()), &error));
  // The iterator keeps a shallow clone of `text`: its native indices are
  // byte offsets into `normalized_utf8`.
  words->setText(text.getAlias(), error);
  if (U_FAILURE(error)) {
    ARCHIVE_LOG(ERROR) << "ICU word iterator rejected text: "
                       << u_errorName(error);
    return tokens;
  }
  int32_t begin = words->first();
  for (int32_t end = words->next(); end != icu::BreakIterator::DONE;
       begin = end, end = words->next()) {
    if (words->getRuleStatus() < UBRK_WORD_NONE_LIMIT) continue;
    std::string term =
        TermOf(*nfkc_casefold, normalized_utf8.substr(begin, end - begin));
    if (term.empty()) continue;
    tokens.push_back(
        Token{std::move(term), static_cast<uint32_t>(tokens.size()),
              static_cast<uint32_t>(begin), static_cast<uint32_t>(end)});
  }
  return tokens;
}

std::vector<std::string> Tokenize(std::string_view normalized_utf8) {
  std::vector<Token> tokens = TokenizeWithOffsets(normalized_utf8);
  std::vector<std::string> terms;
  terms.reserve(tokens.size());
  for (Token& token : tokens) terms.push_back(std::move(token.term));
  return terms;
}

}  // namespace archive
