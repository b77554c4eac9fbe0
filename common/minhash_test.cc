#include "common/minhash.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "common/text_normalizer.h"
#include "common/tokenizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Two wire stories from ../shared/seeds: AP's on Biden and Kishida (1,000
// words) and Reuters' on Lee Jae-myung's inauguration (660 words).
constexpr char kBidenKishida[] = "common/testdata/biden_kishida_body.txt";
constexpr char kLeeInauguration[] = "common/testdata/lee_inauguration_body.txt";

std::string ReadTestData(const char* path) {
  std::ifstream file(path);
  EXPECT_TRUE(file.good()) << path;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<std::string> Terms(const std::string& text) {
  absl::StatusOr<std::string> normalized = NormalizeBody(text);
  EXPECT_TRUE(normalized.ok()) << normalized.status();
  return Tokenize(normalized.value_or(""));
}

std::vector<uint32_t> SignatureOf(const std::string& text) {
  return MinHashSignature(Terms(text));
}

size_t SharedBandKeys(const std::vector<uint32_t>& a,
                      const std::vector<uint32_t>& b) {
  const std::vector<uint64_t> a_keys = LshBandKeys(a);
  const std::vector<uint64_t> b_list = LshBandKeys(b);
  const std::set<uint64_t> b_keys(b_list.begin(), b_list.end());
  return std::count_if(a_keys.begin(), a_keys.end(),
                       [&](uint64_t key) { return b_keys.count(key) > 0; });
}

// The exact Jaccard index of the kShingleSize-term shingle sets.
double Resemblance(const std::vector<std::string>& a,
                   const std::vector<std::string>& b) {
  auto shingles = [](const std::vector<std::string>& terms) {
    std::set<std::vector<std::string>> set;
    for (size_t i = 0; i + kShingleSize <= terms.size(); ++i) {
      set.emplace(terms.begin() + i, terms.begin() + i + kShingleSize);
    }
    return set;
  };
  const auto a_set = shingles(a);
  const auto b_set = shingles(b);
  size_t common = 0;
  for (const auto& shingle : a_set) common += b_set.count(shingle);
  return static_cast<double>(common) /
         static_cast<double>(a_set.size() + b_set.size() - common);
}

class WireStoryTest : public ::testing::TestWithParam<const char*> {
 protected:
  std::string Body() { return ReadTestData(GetParam()); }
};

TEST_P(WireStoryTest, RepublishedWithHeadlineDatelineAndCreditIsNear) {
  const std::string body = Body();
  const std::string republished =
      "Leaders Pledge Closer Ties in White House Talks\n\n"
      "WASHINGTON (AP) \u2014 " +
      body +
      "\n\nReporting by Trevor Hunnicutt and David Brunnstrom; Editing by "
      "Grant McCool\n";
  const std::vector<uint32_t> original = SignatureOf(body);
  const std::vector<uint32_t> copy = SignatureOf(republished);
  EXPECT_GE(EstimateResemblance(original, copy), kNearDuplicateResemblance);
  EXPECT_GE(SharedBandKeys(original, copy), 1);
}

TEST_P(WireStoryTest, OneWordCorrectionIsNear) {
  const std::string body = Body();
  std::string corrected = body;
  const size_t middle = corrected.find(" the ", corrected.size() / 2);
  ASSERT_NE(middle, std::string::npos);
  corrected.replace(middle, 5, " a ");
  const std::vector<uint32_t> original = SignatureOf(body);
  const std::vector<uint32_t> copy = SignatureOf(corrected);
  EXPECT_GE(EstimateResemblance(original, copy), 0.9);
  EXPECT_GE(SharedBandKeys(original, copy), 1);
}

TEST_P(WireStoryTest, RecrawlWithOnlyInvisibleDifferencesIsIdentical) {
  const std::string body = Body();
  const std::string recrawl =
      "\uFEFF" + absl::StrReplaceAll(body, {{"\n", "\r\n\r\n"},
                                            {" the ", " the\u00A0"},
                                            {"Japan", "J\u200Bapan"}});
  EXPECT_EQ(SignatureOf(recrawl), SignatureOf(body));
}

INSTANTIATE_TEST_SUITE_P(SeedArticles, WireStoryTest,
                         ::testing::Values(kBidenKishida, kLeeInauguration));

TEST(MinHashTest, DifferentStoriesAreFarApartAndShareNoBand) {
  const std::vector<std::string> biden = Terms(ReadTestData(kBidenKishida));
  const std::vector<std::string> lee = Terms(ReadTestData(kLeeInauguration));
  ASSERT_GT(biden.size(), 600);
  ASSERT_GT(lee.size(), 600);
  const std::vector<uint32_t> a = MinHashSignature(biden);
  const std::vector<uint32_t> b = MinHashSignature(lee);
  EXPECT_LT(EstimateResemblance(a, b), 0.2);
  EXPECT_EQ(SharedBandKeys(a, b), 0);
}

TEST(MinHashTest, EstimateIsCloseToTheExactResemblance) {
  const std::vector<std::string> terms = Terms(ReadTestData(kLeeInauguration));
  // The first two thirds and the last two thirds share about a third.
  const std::vector<std::string> head(terms.begin(),
                                      terms.begin() + terms.size() * 2 / 3);
  const std::vector<std::string> tail(terms.begin() + terms.size() / 3,
                                      terms.end());
  const double exact = Resemblance(head, tail);
  ASSERT_GT(exact, 0.25);
  ASSERT_LT(exact, 0.4);
  // Four standard errors.
  EXPECT_NEAR(
      EstimateResemblance(MinHashSignature(head), MinHashSignature(tail)),
      exact, 4 * std::sqrt(exact * (1 - exact) / kSignatureLength));
}

TEST(MinHashSignatureTest, HasOneValuePerHashFunction) {
  EXPECT_THAT(MinHashSignature({"a", "b", "c", "d", "e", "f"}),
              SizeIs(kSignatureLength));
}

TEST(MinHashSignatureTest, IsStableAcrossReleases) {
  // Signatures are stored: these values must never change.
  const std::vector<uint32_t> signature = MinHashSignature(
      {"biden", "welcomed", "kishida", "to", "the", "white", "house"});
  EXPECT_THAT(std::vector<uint32_t>(signature.begin(), signature.begin() + 4),
              ElementsAre(3084306857u, 145131784u, 712801703u, 3259202603u));
  EXPECT_EQ(LshBandKeys(signature).front(), 59993232061874690u);
}

TEST(MinHashSignatureTest, ShortTextIsOneShingle) {
  const std::vector<uint32_t> signature = MinHashSignature({"lee", "sworn"});
  EXPECT_THAT(signature, SizeIs(kSignatureLength));
  EXPECT_EQ(MinHashSignature({"lee", "sworn"}), signature);
  EXPECT_EQ(EstimateResemblance(MinHashSignature({"sworn", "lee"}), signature),
            0);
  EXPECT_EQ(EstimateResemblance(MinHashSignature({"lee"}), signature), 0);
}

TEST(MinHashSignatureTest, DependsOnTheShinglesNotTheirCount) {
  const std::vector<std::string> once = {"a", "b", "c", "d", "e", "f"};
  std::vector<std::string> twice = once;
  twice.insert(twice.end(), once.begin(), once.end());
  std::vector<std::string> repeated = twice;
  repeated.insert(repeated.end(), once.begin(), once.end());
  // "a b c d e f a b c d e f" and three times have the same shingle set.
  EXPECT_EQ(MinHashSignature(twice), MinHashSignature(repeated));
}

TEST(MinHashSignatureTest, NoTermsHaveAnEmptySignature) {
  const std::vector<uint32_t> signature = MinHashSignature({});
  EXPECT_THAT(signature, IsEmpty());
  EXPECT_EQ(EstimateResemblance(signature, signature), 0);
  EXPECT_THAT(LshBandKeys(signature), IsEmpty());
}

TEST(EstimateResemblanceTest, IsTheFractionOfEqualPositions) {
  const std::vector<uint32_t> a = {1, 2, 3, 4};
  EXPECT_EQ(EstimateResemblance(a, a), 1);
  EXPECT_EQ(EstimateResemblance(a, std::vector<uint32_t>{1, 2, 0, 0}), 0.5);
  EXPECT_EQ(EstimateResemblance(a, std::vector<uint32_t>{4, 3, 2, 1}), 0);
  EXPECT_EQ(EstimateResemblance(a, std::vector<uint32_t>{1, 2, 3}), 0);
}

TEST(LshBandKeysTest, OneKeyPerBandWithTheBandInTheTopByte) {
  const std::vector<uint32_t> signature(kSignatureLength, 7);
  const std::vector<uint64_t> keys = LshBandKeys(signature);
  ASSERT_THAT(keys, SizeIs(kLshBands));
  for (size_t band = 0; band < kLshBands; ++band) {
    EXPECT_EQ(keys[band] >> 56, band);
  }
  // Equal bands still give different keys in different bands.
  EXPECT_EQ(std::set<uint64_t>(keys.begin(), keys.end()).size(), kLshBands);
}

TEST(LshBandKeysTest, KeyChangesWithAnyValueOfItsBandOnly) {
  std::vector<uint32_t> signature(kSignatureLength);
  for (size_t i = 0; i < kSignatureLength; ++i) signature[i] = i * 2654435761u;
  const std::vector<uint64_t> keys = LshBandKeys(signature);
  for (size_t row = 0; row < kLshRowsPerBand; ++row) {
    std::vector<uint32_t> changed = signature;
    changed[kLshRowsPerBand + row] += 1;  // band 1
    const std::vector<uint64_t> changed_keys = LshBandKeys(changed);
    for (size_t band = 0; band < kLshBands; ++band) {
      if (band == 1) {
        EXPECT_NE(changed_keys[band], keys[band]);
      } else {
        EXPECT_EQ(changed_keys[band], keys[band]);
      }
    }
  }
}

TEST(LshBandKeysTest, WrongLengthHasNoKeys) {
  EXPECT_THAT(LshBandKeys(std::vector<uint32_t>(kSignatureLength - 1)),
              IsEmpty());
  EXPECT_THAT(LshBandKeys(std::vector<uint32_t>(kSignatureLength + 1)),
              IsEmpty());
}

}  // namespace
}  // namespace archive
