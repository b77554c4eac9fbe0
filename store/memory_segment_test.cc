#include "store/memory_segment.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/full_text.h"

namespace archive::store {
namespace {

std::vector<uint64_t> Documents(const PostingListWriter& list) {
  std::vector<uint64_t> documents;
  PostingListReader reader(list.documents(), list.positions());
  while (reader.Next()) documents.push_back(reader.document());
  EXPECT_FALSE(reader.corrupt());
  return documents;
}

TEST(MemorySegmentTest, HoldsEachTermsPostingsInDocumentOrder) {
  MemorySegment segment;
  EXPECT_TRUE(segment.empty());
  segment.Add(10, IndexText("Storm warning", "The storm reached the coast."));
  segment.Add(11, IndexText("Markets", "Shares fell as the storm hit."));
  segment.Add(14, IndexText("Sport", "A quiet day."));
  EXPECT_EQ(segment.documents(), 3u);
  EXPECT_EQ(segment.first_document(), 10u);
  EXPECT_EQ(segment.last_document(), 14u);
  EXPECT_GT(segment.bytes(), 0u);

  ASSERT_NE(segment.Find("storm"), nullptr);
  EXPECT_EQ(Documents(*segment.Find("storm")), (std::vector<uint64_t>{10, 11}));
  EXPECT_EQ(segment.Find("storm")->count(), 2u);
  EXPECT_EQ(Documents(*segment.Find("quiet")), (std::vector<uint64_t>{14}));
  EXPECT_EQ(segment.Find("absent"), nullptr);

  // "storm" twice in document 10: the title's and the body's, the body's
  // after the gap.
  PostingListReader reader(segment.Find("storm")->documents(),
                           segment.Find("storm")->positions());
  ASSERT_TRUE(reader.Next());
  EXPECT_EQ(reader.frequency(), 2u);
  std::vector<uint32_t> positions;
  ASSERT_TRUE(reader.Positions(&positions));
  EXPECT_EQ(positions, (std::vector<uint32_t>{0, 2 + kTitleBodyGap + 1}));
}

TEST(MemorySegmentTest, SortedTermsAreSortedAndComplete) {
  MemorySegment segment;
  segment.Add(0, IndexText("b a", "c a"));
  std::vector<std::string> terms;
  for (const auto& [term, list] : segment.SortedTerms()) {
    terms.emplace_back(term);
    EXPECT_EQ(list, segment.Find(term));
  }
  EXPECT_EQ(terms, (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace archive::store
