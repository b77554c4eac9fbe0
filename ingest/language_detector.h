// Detects the language of an article's text with CLD2 (Debian's libcld2,
// its full tables: 160+ languages), for articles a crawler sent without one.
//
// The answer is a BCP 47 tag that common/article_rules' ValidateLanguage
// accepts ("en", "ar", "ko", "ja", "fr", "es", "he", "zh-Hans", "zh-Hant"),
// or "" when the detector is unsure, which is better left empty than
// guessed:
//  - fewer than kMinLanguageTextBytes bytes of letters, as CLD2 counts them
//    (it skips digits, punctuation and markup): a headline alone, a name;
//  - CLD2 calls its answer unreliable;
//  - the first language covers less than kMinLanguagePercent of the text
//    (an article half in one language, half in another).
// Only the first kMaxLanguageSampleBytes of title and body are read: more
// text does not change the answer, only the cost.
//
// The text must be valid UTF-8 (ingest detects on the normalized text).
// Pure and thread-safe: CLD2 keeps no state between calls.
#ifndef INGEST_LANGUAGE_DETECTOR_H_
#define INGEST_LANGUAGE_DETECTOR_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace archive::ingest {

inline constexpr int kMinLanguageTextBytes = 100;
inline constexpr int kMinLanguagePercent = 80;
inline constexpr size_t kMaxLanguageSampleBytes = 64 * 1024;

// The language of an article with this title and body, or "" when unsure.
std::string DetectLanguage(std::string_view title, std::string_view body);

// The BCP 47 tag for one of CLD2's language codes (LanguageCode()): its
// own names where they are BCP 47 already, "he" for "iw", "jv" for "jw",
// "zh-Hans" for "zh"; "" for CLD2's unknown and script-only codes ("un",
// "xxx", "xx-Latn", "zzb", ...).
std::string LanguageTagFromCld2Code(std::string_view cld2_code);

}  // namespace archive::ingest

#endif  // INGEST_LANGUAGE_DETECTOR_H_
