#include "store/near_duplicate_index.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "common/minhash.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "store/article_key.h"
#include "store/test_store.h"

namespace archive::store {
namespace {

constexpr int64_t kSeconds = 1'673'568'000;

std::string Id(int n) { return absl::StrFormat("%032x", n); }

// The query's signature: 128 distinct values.
std::vector<uint32_t> Query() {
  std::vector<uint32_t> signature(kSignatureLength);
  for (size_t i = 0; i < signature.size(); ++i) signature[i] = 1000 + i;
  return signature;
}

// The query's signature with the values at `positions` changed, differently
// for each `salt`: a resemblance of 1 - positions / 128, sharing the bands
// (4 values each) that no changed position falls in.
std::vector<uint32_t> Changed(const std::vector<size_t>& positions, uint32_t salt = 0) {
  std::vector<uint32_t> signature = Query();
  for (size_t p : positions) signature[p] = 1'000'000 + salt * 1000 + p;
  return signature;
}

std::vector<size_t> Range(size_t begin, size_t end, size_t step = 1) {
  std::vector<size_t> positions;
  for (size_t p = begin; p < end; p += step) positions.push_back(p);
  return positions;
}

v1::FindSimilarRequest Request(const std::vector<uint32_t>& signature,
                               double min_resemblance, int limit = 0) {
  v1::FindSimilarRequest request;
  request.set_min_resemblance(min_resemblance);
  request.set_limit(limit);
  v1::SimilarityQuery* query = request.add_queries();
  for (uint32_t value : signature) query->add_minhash(value);
  return request;
}

class NearDuplicateIndexTest : public ::testing::Test {
 protected:
  NearDuplicateIndexTest() : store_("near_duplicate_index"), index_(&store_.database()) {}

  void Add(const std::string& id, int64_t seconds, const std::vector<uint32_t>& signature) {
    google::protobuf::Timestamp published_at;
    published_at.set_seconds(seconds);
    rocksdb::WriteBatch batch;
    index_.Add(id, *EncodeId(id), published_at, signature, &batch);
    ASSERT_TRUE(store_.database().db()->Write(rocksdb::WriteOptions(), &batch).ok());
  }

  // The ids found for the one query of `request`.
  std::vector<std::string> FoundIds(const v1::FindSimilarRequest& request) {
    v1::FindSimilarResponse response;
    const absl::Status status = index_.Find(request, &response);
    EXPECT_TRUE(status.ok()) << status;
    std::vector<std::string> ids;
    if (response.results_size() != 1) return ids;
    for (const v1::SimilarArticle& article : response.results(0).articles()) {
      ids.push_back(article.id());
    }
    return ids;
  }

  absl::Status FindStatus(const v1::FindSimilarRequest& request) {
    v1::FindSimilarResponse response;
    return index_.Find(request, &response);
  }

  TestStore store_;
  NearDuplicateIndex index_;
};

TEST_F(NearDuplicateIndexTest, FindsTheArticlesThatShareABandAndResembleEnoughMostAlikeFirst) {
  Add(Id(1), kSeconds, Changed(Range(0, 64)));     // 0.5
  Add(Id(2), kSeconds, Query());                   // 1
  Add(Id(3), kSeconds, Changed(Range(0, 32)));     // 0.75
  Add(Id(4), kSeconds, Changed(Range(0, 128, 4)));  // 0.75, but no band in common
  EXPECT_EQ(FoundIds(Request(Query(), 0.6)), (std::vector<std::string>{Id(2), Id(3)}));
  EXPECT_EQ(FoundIds(Request(Query(), 0)),
            (std::vector<std::string>{Id(2), Id(3), Id(1)}));

  v1::FindSimilarResponse response;
  ASSERT_TRUE(index_.Find(Request(Query(), 0.7), &response).ok());
  ASSERT_EQ(response.results_size(), 1);
  ASSERT_EQ(response.results(0).articles_size(), 2);
  const v1::SimilarArticle& second = response.results(0).articles(1);
  EXPECT_DOUBLE_EQ(second.resemblance(), 0.75);
  EXPECT_EQ(second.published_at().seconds(), kSeconds);
  EXPECT_FALSE(response.results(0).holds_id());
}

TEST_F(NearDuplicateIndexTest, EquallyAlikeArticlesComeOldestFirstThenById) {
  Add(Id(9), kSeconds + 60, Query());
  Add(Id(8), kSeconds, Query());
  Add(Id(7), kSeconds, Query());
  EXPECT_EQ(FoundIds(Request(Query(), 0.8)),
            (std::vector<std::string>{Id(7), Id(8), Id(9)}));
}

TEST_F(NearDuplicateIndexTest, EachQueryHasItsOwnResult) {
  Add(Id(1), kSeconds, Query());
  Add(Id(2), kSeconds, Changed(Range(0, 128), 1));
  v1::FindSimilarRequest request = Request(Query(), 0.8);
  v1::SimilarityQuery* other = request.add_queries();
  for (uint32_t value : Changed(Range(0, 128), 1)) other->add_minhash(value);
  v1::FindSimilarResponse response;
  ASSERT_TRUE(index_.Find(request, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  ASSERT_EQ(response.results(0).articles_size(), 1);
  EXPECT_EQ(response.results(0).articles(0).id(), Id(1));
  ASSERT_EQ(response.results(1).articles_size(), 1);
  EXPECT_EQ(response.results(1).articles(0).id(), Id(2));
}

TEST_F(NearDuplicateIndexTest, TheLimitDefaultsToTen) {
  for (int i = 0; i < 12; ++i) Add(Id(i), kSeconds + i, Query());
  EXPECT_EQ(FoundIds(Request(Query(), 0.8)).size(),
            static_cast<size_t>(kDefaultSimilarLimit));
  const std::vector<std::string> three = FoundIds(Request(Query(), 0.8, 3));
  EXPECT_EQ(three, (std::vector<std::string>{Id(0), Id(1), Id(2)}));
}

TEST_F(NearDuplicateIndexTest, ABandSharedByManyArticlesGivesAtMostItsQuotaOfCandidates) {
  // Every one shares band 0 with the query, and nothing else.
  for (int i = 0; i < kMaxCandidatesPerBand + 44; ++i) {
    Add(Id(i), kSeconds, Changed(Range(4, 128), i));
  }
  // This one shares band 5 only.
  std::vector<size_t> all_but_band_5 = Range(0, 20);
  for (size_t p : Range(24, 128)) all_but_band_5.push_back(p);
  Add(Id(5000), kSeconds, Changed(all_but_band_5, 5000));
  const std::vector<std::string> found = FoundIds(Request(Query(), 0, kMaxSimilarLimit));
  EXPECT_EQ(found.size(), static_cast<size_t>(kMaxCandidatesPerBand) + 1);
  EXPECT_NE(std::find(found.begin(), found.end(), Id(5000)), found.end());
}

TEST_F(NearDuplicateIndexTest, RemoveTakesAwayEveryEntryOfTheArticle) {
  Add(Id(1), kSeconds, Query());
  Add(Id(2), kSeconds, Changed(Range(0, 32)));
  rocksdb::WriteBatch batch;
  ASSERT_TRUE(index_.Remove(Id(1), *EncodeId(Id(1)), &batch).ok());
  // (archive::kLshBands, the number of bands; store's kLshBands is their family.)
  EXPECT_EQ(batch.Count(), 1 + archive::kLshBands);
  ASSERT_TRUE(store_.database().db()->Write(rocksdb::WriteOptions(), &batch).ok());
  EXPECT_EQ(FoundIds(Request(Query(), 0)), std::vector<std::string>{Id(2)});
  EXPECT_EQ(store_.Keys(kMinHash), std::vector<std::string>{*EncodeId(Id(2))});
  EXPECT_EQ(store_.Keys(kLshBands).size(), archive::kLshBands);

  // An article stored without a signature has nothing to remove.
  rocksdb::WriteBatch nothing;
  ASSERT_TRUE(index_.Remove(Id(3), *EncodeId(Id(3)), &nothing).ok());
  EXPECT_EQ(nothing.Count(), 0);
}

TEST_F(NearDuplicateIndexTest, ASignatureThatDoesNotDecodeIsDataLoss) {
  Add(Id(1), kSeconds, Query());
  store_.PutRow(kMinHash, *EncodeId(Id(1)), "short");
  EXPECT_EQ(FindStatus(Request(Query(), 0.8)).code(), absl::StatusCode::kDataLoss);
  rocksdb::WriteBatch batch;
  EXPECT_EQ(index_.Remove(Id(1), *EncodeId(Id(1)), &batch).code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(NearDuplicateIndexTest, AQueryByIdSaysWhetherTheStoreHoldsIt) {
  Add(Id(1), kSeconds, Query());
  store_.PutRow(kById, *EncodeId(Id(1)), "an articles key");
  v1::FindSimilarRequest request;
  request.add_queries()->set_id(Id(1));
  request.add_queries()->set_id(Id(2));
  v1::SimilarityQuery* both = request.add_queries();
  both->set_id(Id(1));
  for (uint32_t value : Query()) both->add_minhash(value);
  v1::FindSimilarResponse response;
  ASSERT_TRUE(index_.Find(request, &response).ok());
  ASSERT_EQ(response.results_size(), 3);
  EXPECT_TRUE(response.results(0).holds_id());
  EXPECT_EQ(response.results(0).articles_size(), 0);
  EXPECT_FALSE(response.results(1).holds_id());
  EXPECT_TRUE(response.results(2).holds_id());
  ASSERT_EQ(response.results(2).articles_size(), 1);
  EXPECT_EQ(response.results(2).articles(0).id(), Id(1));
}

TEST_F(NearDuplicateIndexTest, MalformedRequestsAreInvalidArgumentNamingTheField) {
  auto expect_invalid = [this](const v1::FindSimilarRequest& request,
                               const std::string& field) {
    const absl::Status status = FindStatus(request);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_EQ(status.message().substr(0, field.size() + 1), field + ":") << status;
  };
  for (double bad : {-0.1, 1.1, std::numeric_limits<double>::quiet_NaN()}) {
    expect_invalid(Request(Query(), bad), "min_resemblance");
  }
  expect_invalid(Request(Query(), 0.8, -1), "limit");
  expect_invalid(Request(Query(), 0.8, kMaxSimilarLimit + 1), "limit");

  v1::FindSimilarRequest short_signature = Request(Query(), 0.8);
  v1::SimilarityQuery* short_query = short_signature.add_queries();
  for (size_t i = 1; i < kSignatureLength; ++i) {
    short_query->add_minhash(static_cast<uint32_t>(i));
  }
  expect_invalid(short_signature, "queries[1].minhash");
  v1::FindSimilarRequest empty;
  empty.add_queries();
  expect_invalid(empty, "queries[0].minhash");
  v1::FindSimilarRequest bad_id;
  bad_id.add_queries()->set_id("ABC");
  expect_invalid(bad_id, "queries[0].id");
  // The limit's bounds themselves are allowed.
  EXPECT_TRUE(FindStatus(Request(Query(), 1, kMaxSimilarLimit)).ok());
  EXPECT_TRUE(FindStatus(Request(Query(), 0, 0)).ok());
}

}  // namespace
}  // namespace archive::store
