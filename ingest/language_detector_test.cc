#include "ingest/language_detector.h"

// compact_lang_det.h uses FILE without including <cstdio>.
#include <cstdio>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include <cld2/public/compact_lang_det.h>

#include "common/article_rules.h"
#include "gtest/gtest.h"

namespace archive::ingest {
namespace {

// One news story (a council passing a transport budget), written in each
// language, headline first; relative to the runfiles root.
std::pair<std::string, std::string> ReadArticle(const std::string& tag) {
  const std::string path = "ingest/testdata/language/" + tag + ".txt";
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  const size_t end_of_title = all.find('\n');
  return {all.substr(0, end_of_title), all.substr(end_of_title + 1)};
}

class ArticleLanguageTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ArticleLanguageTest, AnArticleIsDetectedAsItsLanguage) {
  const auto [title, body] = ReadArticle(GetParam());
  ASSERT_FALSE(body.empty());
  EXPECT_EQ(DetectLanguage(title, body), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Languages, ArticleLanguageTest,
                         ::testing::Values("en", "ar", "ko", "ja", "fr", "es",
                                           "zh-Hans", "zh-Hant"),
                         [](const auto& info) {
                           std::string name = info.param;
                           name.erase(std::remove(name.begin(), name.end(), '-'),
                                      name.end());
                           return name;
                         });

TEST(DetectLanguageTest, LanguagesOnlyTheFullTablesKnowAreDetected) {
  // Esperanto is not among the 83 languages of libcld2's own (Chrome)
  // tables: this fails when the wrapper links those instead of
  // libcld2_full's.
  EXPECT_EQ(DetectLanguage(
                "La urba konsilio aprobis novan buĝeton por la publika transporto",
                "La urba konsilio voĉdonis marde por aprobi buĝeton, kiu pli ol "
                "duobligas la elspezojn por busoj kaj tramoj dum la venontaj kvin "
                "jaroj. La plano aldonas dek kvar novajn buslinioj en la nordaj "
                "kvartaloj kaj plilongigas la tramlinion ĝis la universitato."),
            "eo");
}

TEST(DetectLanguageTest, TooLittleTextIsUnsure) {
  EXPECT_EQ(DetectLanguage("Hello", "Hello, archive."), "");
  EXPECT_EQ(DetectLanguage("", "Fumio Kishida Joe Biden Antony Blinken"), "");
  EXPECT_EQ(DetectLanguage("2023", "12:00 — 45% +3.2 (AFP)"), "");
  EXPECT_EQ(DetectLanguage("", ""), "");
}

TEST(DetectLanguageTest, TextHalfInOneLanguageHalfInAnotherIsUnsure) {
  const auto [en_title, en_body] = ReadArticle("en");
  const auto [fr_title, fr_body] = ReadArticle("fr");
  const auto [es_title, es_body] = ReadArticle("es");
  EXPECT_EQ(DetectLanguage(en_title, en_body + "\n\n" + fr_body), "");
  EXPECT_EQ(DetectLanguage(es_title, en_body + "\n\n" + es_body), "");
}

TEST(DetectLanguageTest, AQuoteInAnotherLanguageDoesNotChangeTheAnswer) {
  const auto [title, body] = ReadArticle("fr");
  EXPECT_EQ(DetectLanguage(title, body + "\n\n\"We are very pleased,\" he said."),
            "fr");
}

TEST(DetectLanguageTest, OnlyTheStartOfALongArticleIsRead) {
  const auto [title, body] = ReadArticle("ko");
  std::string long_body;
  while (long_body.size() < (1u << 20)) long_body += body + "\n\n";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(DetectLanguage(title, long_body), "ko");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  std::printf("a 1 MiB article: %.2f ms\n",
              std::chrono::duration<double, std::milli>(elapsed).count());
  // Cut inside a three-byte Hangul syllable, the sample is still UTF-8.
  std::string cut(kMaxLanguageSampleBytes - 2, 'a');
  EXPECT_EQ(DetectLanguage("", cut + body), "");
}

TEST(DetectLanguageTest, EveryTagCld2CanGiveIsOneTheArticleRulesTake) {
  for (int i = 0; i < CLD2::NUM_LANGUAGES; ++i) {
    const char* code = CLD2::LanguageCode(static_cast<CLD2::Language>(i));
    const std::string tag = LanguageTagFromCld2Code(code);
    EXPECT_TRUE(ValidateLanguage(tag, "language").ok())
        << "CLD2 code \"" << code << "\" gives \"" << tag << "\"";
  }
  EXPECT_EQ(LanguageTagFromCld2Code("iw"), "he");
  EXPECT_EQ(LanguageTagFromCld2Code("zh"), "zh-Hans");
  EXPECT_EQ(LanguageTagFromCld2Code("zh-Hant"), "zh-Hant");
  EXPECT_EQ(LanguageTagFromCld2Code("xx-Latn"), "");
  EXPECT_EQ(LanguageTagFromCld2Code("un"), "");
}

}  // namespace
}  // namespace archive::ingest
