#include "ingest/language_detector.h"

// compact_lang_det.h uses FILE without including <cstdio>.
#include <cstdio>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>


namespace archive::ingest {
namespace {

// The longest prefix of `text` within `max_bytes` that does not end inside
// a UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

std::string LanguageTagFromCld2Code(std::string_view cld2_code) {
  if (cld2_code.empty() || cld2_code == "un" || cld2_code == "xxx" ||
      cld2_code.substr(0, 3) == "xx-" || cld2_code.substr(0, 2) == "zz") {
    return "";
  }
  // CLD2 keeps codes ISO 639 has since replaced.
  if (cld2_code == "iw") return "he";
  if (cld2_code == "jw") return "jv";
  if (cld2_code == "zh") return "zh-Hans";
  return std::string(cld2_code);
}

std::string DetectLanguage(std::string_view title, std::string_view body) {
  std::string sample(Utf8Prefix(title, kMaxLanguageSampleBytes));
  sample += '\n';
  if (sample.size() < kMaxLanguageSampleBytes) {
    sample += Utf8Prefix(body, kMaxLanguageSampleBytes - sample.size());
  }

  const CLD2::CLDHints no_hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING,
                                   CLD2::UNKNOWN_LANGUAGE};
  CLD2::Language languages[3];
  int percents[3];
  double normalized_scores[3];
  int text_bytes = 0;
  bool reliable = false;
  const CLD2::Language summary = CLD2::ExtDetectLanguageSummary(
      sample.data(), static_cast<int>(sample.size()), /*is_plain_text=*/true,
      &no_hints, /*flags=*/0, languages, percents, normalized_scores,
      /*resultchunkvector=*/nullptr, &text_bytes, &reliable);
  if (!reliable || text_bytes < kMinLanguageTextBytes ||
      summary != languages[0] || percents[0] < kMinLanguagePercent) {
    return "";
  }
  return LanguageTagFromCld2Code(CLD2::LanguageCode(summary));
}

}  // namespace archive::ingest
