#include "store/full_text_index.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/article_factory.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "store/article_key.h"
#include "store/posting_codec.h"
#include "store/test_store.h"

namespace archive::store {
namespace {

using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;

// Article `i` of a.com: title "title i", the given body.
v1::Article Numbered(int i, const std::string& body) {
  return MakeArticle("a.com", absl::StrCat("title ", i), body, kJan2023 + i);
}

// A FullTextIndex over a database of its own, opened as ArticleDb opens it,
// with segments of three documents; articles stored as the put path stores
// them (article and documents in one batch), but segments written out only
// when a test says so.
class FullTextIndexTest : public ::testing::Test {
 protected:
  FullTextIndexTest() : store_("full_text_index") {
    options_.segment_documents = 3;
    options_.sync = false;
  }

  void SetUp() override { OpenIndex(); }

  void OpenIndex() {
    index_ = std::make_unique<FullTextIndex>(&store_.database(), options_);
    const absl::Status loaded = index_->LoadDocuments();
    ASSERT_TRUE(loaded.ok()) << loaded;
    const absl::Status recovered = index_->Recover();
    ASSERT_TRUE(recovered.ok()) << recovered;
  }

  // A crash: whatever the index held only in memory is lost; the database
  // holds every batch written.
  void Restart(bool read_only = false) {
    index_.reset();
    store_.Reopen(read_only);
    OpenIndex();
  }

  // Adds `articles` in one Put, its batch written unless `written` is false
  // (a batch that failed), and finished; their document numbers.
  std::vector<uint64_t> Store(const std::vector<v1::Article>& articles,
                              bool written = true) {
    rocksdb::WriteBatch batch;
    std::vector<std::string> keys;
    std::vector<IndexedText> texts;
    for (const v1::Article& article : articles) {
      keys.push_back(ArticleKeyOf(article));
      texts.push_back(IndexText(article.title(), article.body()));
      batch.Put(store_.database().family(kArticles), keys.back(),
                article.SerializeAsString());
    }
    std::vector<FullTextIndex::NewDocument> documents;
    for (size_t i = 0; i < articles.size(); ++i) documents.push_back({keys[i], &texts[i]});
    absl::StatusOr<FullTextIndex::Pending> pending = index_->AddDocuments(documents, &batch);
    EXPECT_TRUE(pending.ok()) << pending.status();
    if (!pending.ok()) return {};
    if (written) {
      EXPECT_TRUE(store_.database().db()->Write(rocksdb::WriteOptions(), &batch).ok());
    }
    index_->FinishDocuments(*pending, written);
    return pending->documents;
  }

  // The documents with an unindexed marker.
  std::vector<uint64_t> Unindexed() const {
    std::vector<uint64_t> documents;
    for (const std::string& key : store_.Keys(kUnindexed)) {
      documents.push_back(DecodeDocumentKey(key).value_or(~uint64_t{0}));
    }
    return documents;
  }

  // The documents of each written segment of `term`, by its first document.
  std::map<uint64_t, std::vector<uint64_t>> WrittenSegments(const std::string& term) const {
    std::map<uint64_t, std::vector<uint64_t>> segments;
    const std::string prefix = PostingPrefix(term);
    std::unique_ptr<rocksdb::Iterator> it(store_.database().db()->NewIterator(
        rocksdb::ReadOptions(), store_.database().family(kTermPostings)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      std::vector<uint64_t>& documents =
          segments[*DecodeDocumentKey(it->key().ToStringView().substr(prefix.size()))];
      PostingListReader reader(it->value().ToStringView());
      while (reader.Next()) documents.push_back(reader.document());
      EXPECT_FALSE(reader.corrupt()) << term;
    }
    return segments;
  }

  v1::TermStatistics Statistics(const std::vector<std::string>& terms) const {
    std::unique_ptr<FullTextIndex::View> view = index_->Capture(terms, false);
    absl::StatusOr<v1::TermStatistics> statistics = index_->LocalTermStatistics(terms, *view);
    EXPECT_TRUE(statistics.ok()) << statistics.status();
    return statistics.ok() ? *statistics : v1::TermStatistics();
  }

  uint64_t DocumentFrequency(const std::string& term) const {
    return Statistics({term}).document_frequency().at(term);
  }

  FullTextIndexOptions options_;
  TestStore store_;
  std::unique_ptr<FullTextIndex> index_;
};

using Documents = std::vector<uint64_t>;
using Segments = std::map<uint64_t, Documents>;

TEST_F(FullTextIndexTest, ADocumentIsNumberedPendingAndLiveOnceItsBatchIsWritten) {
  const v1::Article first = Numbered(0, "cedar oak");
  const IndexedText text = IndexText(first.title(), first.body());
  const std::string key = ArticleKeyOf(first);
  rocksdb::WriteBatch batch;
  absl::StatusOr<FullTextIndex::Pending> pending =
      index_->AddDocuments({{key, &text}}, &batch);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(pending->documents, Documents{0});
  EXPECT_EQ(index_->documents().Brief(0)->state, DocumentInfo::kPending);
  EXPECT_EQ(batch.Count(), 2u);  // its documents entry and its marker
  EXPECT_EQ(Statistics({"cedar"}).document_count(), 0u);
  EXPECT_TRUE(store_.Keys(kDocuments).empty());

  ASSERT_TRUE(store_.database().db()->Write(rocksdb::WriteOptions(), &batch).ok());
  index_->FinishDocuments(*pending, true);
  EXPECT_EQ(index_->documents().Brief(0)->state, DocumentInfo::kLive);
  EXPECT_EQ(index_->documents().ArticleKey(*index_->documents().Find(0)), key);
  EXPECT_EQ(store_.Keys(kDocuments), std::vector<std::string>{DocumentKey(0)});
  EXPECT_EQ(Unindexed(), Documents{0});
  const v1::TermStatistics statistics = Statistics({"cedar"});
  EXPECT_EQ(statistics.document_count(), 1u);
  EXPECT_EQ(statistics.total_terms(), text.length);
  EXPECT_EQ(statistics.document_frequency().at("cedar"), 1u);

  EXPECT_EQ(Store({Numbered(1, "pine"), Numbered(2, "birch")}), (Documents{1, 2}));
}

TEST_F(FullTextIndexTest, ASegmentIsWrittenOutWhenFullOrForcedWithTheDeletionOfItsMarkers) {
  Store({Numbered(0, "cedar"), Numbered(1, "cedar oak")});
  ASSERT_TRUE(index_->WriteSegment(/*force=*/false).ok());
  EXPECT_TRUE(store_.Keys(kTermPostings).empty()) << "written before it was full";
  EXPECT_EQ(index_->InMemoryFigures().documents, 2u);
  EXPECT_EQ(Unindexed(), (Documents{0, 1}));

  Store({Numbered(2, "oak")});
  ASSERT_TRUE(index_->WriteSegment(/*force=*/false).ok());
  EXPECT_EQ(WrittenSegments("cedar"), (Segments{{0, {0, 1}}}));
  EXPECT_EQ(WrittenSegments("oak"), (Segments{{0, {1, 2}}}));
  EXPECT_EQ(store_.Keys(kTermPositions).size(), store_.Keys(kTermPostings).size());
  EXPECT_TRUE(Unindexed().empty());
  EXPECT_EQ(index_->InMemoryFigures().documents, 0u);
  EXPECT_FALSE(index_->InMemoryFigures().frozen);

  Store({Numbered(3, "cedar")});
  ASSERT_TRUE(index_->WriteSegment(/*force=*/true).ok());
  EXPECT_EQ(WrittenSegments("cedar"), (Segments{{0, {0, 1}}, {3, {3}}}));
  EXPECT_TRUE(Unindexed().empty());
  ASSERT_TRUE(index_->WriteSegment(/*force=*/true).ok());  // nothing left to write
  EXPECT_EQ(DocumentFrequency("cedar"), 3u);
  EXPECT_EQ(DocumentFrequency("oak"), 2u);
}

TEST_F(FullTextIndexTest, TheDocumentsOfAFailedBatchAreDeadAndLeftOutOfTheirSegment) {
  Store({Numbered(0, "cedar")});
  EXPECT_EQ(Store({Numbered(1, "cedar pine")}, /*written=*/false), Documents{1});
  Store({Numbered(2, "cedar")});
  EXPECT_EQ(index_->documents().Brief(1)->state, DocumentInfo::kDead);
  ASSERT_TRUE(index_->WriteSegment(/*force=*/true).ok());
  EXPECT_EQ(WrittenSegments("cedar"), (Segments{{0, {0, 2}}}));
  EXPECT_TRUE(WrittenSegments("pine").empty());
  EXPECT_TRUE(Unindexed().empty());

  Restart();
  EXPECT_EQ(DocumentFrequency("cedar"), 2u);
  EXPECT_EQ(DocumentFrequency("pine"), 0u);
  EXPECT_EQ(Statistics({"cedar"}).document_count(), 2u);
}

TEST_F(FullTextIndexTest, AnAddThatFailsLeavesNoDocumentPending) {
  const IndexedText text = IndexText("title", "cedar");
  const std::string good = ArticleKeyOf(Numbered(0, "cedar"));
  rocksdb::WriteBatch batch;
  absl::StatusOr<FullTextIndex::Pending> pending =
      index_->AddDocuments({{good, &text}, {"not an article key", &text}}, &batch);
  ASSERT_FALSE(pending.ok());
  ASSERT_EQ(index_->documents().size(), 1u);
  EXPECT_EQ(index_->documents().Brief(0)->state, DocumentInfo::kDead);
  // Its segment can still be written, without it.
  Store({Numbered(1, "cedar")});
  ASSERT_TRUE(index_->WriteSegment(/*force=*/true).ok());
  EXPECT_EQ(WrittenSegments("cedar"), (Segments{{0, {1}}}));
}

TEST_F(FullTextIndexTest, ASegmentIsNotWrittenWhileAPutThatAddedToItIsWriting) {
  const v1::Article article = Numbered(0, "cedar");
  const IndexedText text = IndexText(article.title(), article.body());
  const std::string key = ArticleKeyOf(article);
  rocksdb::WriteBatch batch;
  batch.Put(store_.database().family(kArticles), key, article.SerializeAsString());
  absl::StatusOr<FullTextIndex::Pending> pending =
      index_->AddDocuments({{key, &text}}, &batch);
  ASSERT_TRUE(pending.ok()) << pending.status();

  std::atomic<bool> returned{false};
  std::thread writer([this, &returned] {
    EXPECT_TRUE(index_->WriteSegment(/*force=*/true).ok());
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(returned.load()) << "the segment was written before its Put";
  ASSERT_TRUE(store_.database().db()->Write(rocksdb::WriteOptions(), &batch).ok());
  index_->FinishDocuments(*pending, true);
  writer.join();
  EXPECT_EQ(WrittenSegments("cedar"), (Segments{{0, {0}}}));
  // Its marker, written by the Put, was deleted by the segment after it.
  EXPECT_TRUE(Unindexed().empty());
}

TEST_F(FullTextIndexTest, RecoverIndexesAgainExactlyWhatACrashLost) {
  Store({Numbered(0, "cedar"), Numbered(1, "cedar"), Numbered(2, "cedar")});
  ASSERT_TRUE(index_->WriteSegment(/*force=*/false).ok());
  Store({Numbered(3, "cedar oak")});
  Store({Numbered(4, "cedar elm")});
  // The unindexed family lists exactly the documents in memory.
  EXPECT_EQ(Unindexed(), (Documents{3, 4}));
  EXPECT_EQ(index_->InMemoryFigures().documents, 2u);

  Restart();
  EXPECT_EQ(index_->InMemoryFigures().documents, 2u);
  EXPECT_EQ(Unindexed(), (Documents{3, 4}));
  EXPECT_EQ(WrittenSegments("cedar"), (Segments{{0, {0, 1, 2}}}));
  const v1::TermStatistics statistics = Statistics({"cedar", "oak", "elm"});
  EXPECT_EQ(statistics.document_count(), 5u);
  EXPECT_EQ(statistics.document_frequency().at("cedar"), 5u);
  EXPECT_EQ(statistics.document_frequency().at("oak"), 1u);
  EXPECT_EQ(statistics.document_frequency().at("elm"), 1u);

  ASSERT_TRUE(index_->WriteSegment(/*force=*/true).ok());
  EXPECT_EQ(WrittenSegments("cedar"), (Segments{{0, {0, 1, 2}}, {3, {3, 4}}}));
  EXPECT_TRUE(Unindexed().empty());
  // Nothing is indexed twice.
  Restart();
  EXPECT_EQ(index_->InMemoryFigures().documents, 0u);
  EXPECT_EQ(DocumentFrequency("cedar"), 5u);
  EXPECT_EQ(Store({Numbered(5, "cedar")}), Documents{5});
}

TEST_F(FullTextIndexTest, RecoverWritesOutTheSegmentsItFills) {
  for (int i = 0; i < 7; ++i) Store({Numbered(i, "cedar")});
  Restart();
  EXPECT_EQ(WrittenSegments("cedar"), (Segments{{0, {0, 1, 2}}, {3, {3, 4, 5}}}));
  EXPECT_EQ(Unindexed(), Documents{6});
  EXPECT_EQ(DocumentFrequency("cedar"), 7u);
}

TEST_F(FullTextIndexTest, LoadDocumentsKeepsTheNumbersOfFailedBatchesDead) {
  Store({Numbered(0, "cedar")});
  Store({Numbered(1, "oak"), Numbered(2, "oak")}, /*written=*/false);
  Store({Numbered(3, "cedar elm")});
  Restart();
  const DocumentTable& documents = index_->documents();
  ASSERT_EQ(documents.size(), 4u);
  EXPECT_TRUE(documents.IsLive(0));
  EXPECT_EQ(documents.Brief(1)->state, DocumentInfo::kDead);
  EXPECT_EQ(documents.Brief(2)->state, DocumentInfo::kDead);
  EXPECT_TRUE(documents.IsLive(3));
  EXPECT_EQ(documents.ArticleKey(*documents.Find(3)),
            ArticleKeyOf(Numbered(3, "cedar elm")));
  EXPECT_EQ(documents.Brief(3)->length, IndexText("title 3", "cedar elm").length);
  const v1::TermStatistics statistics = Statistics({"cedar", "oak"});
  EXPECT_EQ(statistics.document_count(), 2u);
  EXPECT_EQ(statistics.total_terms(), 3u + 4u);
  EXPECT_EQ(statistics.document_frequency().at("oak"), 0u);
  EXPECT_EQ(Store({Numbered(4, "cedar")}), Documents{4});
}

TEST_F(FullTextIndexTest, ADocumentsEntryThatDoesNotDecodeIsDataLoss) {
  store_.PutRow(kDocuments, DocumentKey(0), EncodeDocumentRecord(3, "no article key"));
  FullTextIndex index(&store_.database(), options_);
  EXPECT_EQ(index.LoadDocuments().code(), absl::StatusCode::kDataLoss);
}

TEST_F(FullTextIndexTest, AMarkerOfNoDocumentIsDataLoss) {
  Store({Numbered(0, "cedar")});
  store_.PutRow(kUnindexed, DocumentKey(7), "");
  index_.reset();
  FullTextIndex index(&store_.database(), options_);
  ASSERT_TRUE(index.LoadDocuments().ok());
  const absl::Status recovered = index.Recover();
  EXPECT_EQ(recovered.code(), absl::StatusCode::kDataLoss) << recovered;
}

TEST_F(FullTextIndexTest, AViewIsTheIndexAtOnePoint) {
  Store({Numbered(0, "cedar oak"), Numbered(1, "cedar")});
  std::unique_ptr<FullTextIndex::View> view =
      index_->Capture({"cedar", "oak", "absent"}, /*copy_lists=*/true);
  ASSERT_EQ(view->active.size(), 3u);
  ASSERT_TRUE(view->active[0].has_value());
  EXPECT_EQ(view->active[0]->count, 2u);
  PostingListReader copied(view->active[0]->documents, view->active[0]->positions);
  Documents listed;
  while (copied.Next()) listed.push_back(copied.document());
  EXPECT_EQ(listed, (Documents{0, 1}));
  EXPECT_FALSE(view->active[2].has_value());
  EXPECT_EQ(view->frozen, nullptr);
  EXPECT_EQ(view->documents, 2u);

  // Later documents, and the segment written out meanwhile: the view still
  // counts each of its documents once.
  Store({Numbered(2, "cedar")});
  ASSERT_TRUE(index_->WriteSegment(/*force=*/true).ok());
  absl::StatusOr<v1::TermStatistics> then =
      index_->LocalTermStatistics({"cedar", "oak", "absent"}, *view);
  ASSERT_TRUE(then.ok()) << then.status();
  EXPECT_EQ(then->document_count(), 2u);
  EXPECT_EQ(then->document_frequency().at("cedar"), 2u);
  EXPECT_EQ(then->document_frequency().at("oak"), 1u);
  EXPECT_EQ(then->document_frequency().at("absent"), 0u);

  std::unique_ptr<FullTextIndex::View> now = index_->Capture({"cedar"}, false);
  EXPECT_FALSE(now->active[0].has_value());  // all written out
  EXPECT_EQ(index_->LocalTermStatistics({"cedar"}, *now)->document_frequency().at("cedar"),
            3u);
}

TEST_F(FullTextIndexTest, AViewCopiesTheActiveListsOnlyWhenAsked) {
  Store({Numbered(0, "cedar")});
  std::unique_ptr<FullTextIndex::View> view = index_->Capture({"cedar"}, false);
  ASSERT_TRUE(view->active[0].has_value());
  EXPECT_EQ(view->active[0]->count, 1u);
  EXPECT_TRUE(view->active[0]->documents.empty());
  EXPECT_TRUE(view->active[0]->positions.empty());
}

TEST_F(FullTextIndexTest, ASegmentThatFailsToBeWrittenStaysFrozenAndCounted) {
  Store({Numbered(0, "cedar"), Numbered(1, "cedar oak")});
  // Read-only, the database refuses every write: a real write failure.
  Restart(/*read_only=*/true);
  EXPECT_EQ(index_->InMemoryFigures().documents, 2u);
  EXPECT_FALSE(index_->WriteSegment(/*force=*/true).ok());
  FullTextIndex::InMemory figures = index_->InMemoryFigures();
  EXPECT_TRUE(figures.frozen);
  EXPECT_EQ(figures.documents, 2u);
  std::unique_ptr<FullTextIndex::View> view = index_->Capture({"cedar", "oak"}, true);
  ASSERT_NE(view->frozen, nullptr);
  EXPECT_NE(view->frozen->postings.Find("cedar"), nullptr);
  EXPECT_FALSE(view->active[0].has_value());
  EXPECT_EQ(index_->LocalTermStatistics({"cedar", "oak"}, *view)
                ->document_frequency()
                .at("cedar"),
            2u);

  // Later documents go to a new active segment; the frozen one is tried
  // first, full or not.
  Store({Numbered(2, "cedar")}, /*written=*/false);
  Store({Numbered(3, "cedar")}, /*written=*/false);
  EXPECT_FALSE(index_->WriteSegment(/*force=*/false).ok());
  figures = index_->InMemoryFigures();
  EXPECT_TRUE(figures.frozen);
  EXPECT_EQ(figures.documents, 4u);

  // Its markers were never deleted: opened again, it is indexed again.
  view.reset();
  Restart();
  EXPECT_EQ(Unindexed(), (Documents{0, 1}));
  ASSERT_TRUE(index_->WriteSegment(/*force=*/true).ok());
  EXPECT_EQ(WrittenSegments("cedar"), (Segments{{0, {0, 1}}}));
}

TEST_F(FullTextIndexTest, AReadOnlyIndexKeepsItsSegmentsInMemory) {
  options_.read_only = true;
  OpenIndex();
  Store({Numbered(0, "cedar"), Numbered(1, "cedar"), Numbered(2, "cedar")});
  EXPECT_TRUE(index_->WriteSegment(/*force=*/true).ok());
  EXPECT_TRUE(store_.Keys(kTermPostings).empty());
  EXPECT_EQ(index_->InMemoryFigures().documents, 3u);
  EXPECT_EQ(DocumentFrequency("cedar"), 3u);
}

TEST_F(FullTextIndexTest, StatisticsAddTheWrittenTheFrozenAndTheActiveCounts) {
  Store({Numbered(0, "cedar"), Numbered(1, "cedar"), Numbered(2, "cedar")});
  ASSERT_TRUE(index_->WriteSegment(/*force=*/false).ok());
  Store({Numbered(3, "cedar")});
  EXPECT_EQ(DocumentFrequency("cedar"), 4u);
  // Damaged counters are not read as a count.
  store_.PutRow(kTermCounts, "cedar", "\x01");
  std::unique_ptr<FullTextIndex::View> view = index_->Capture({"cedar"}, false);
  EXPECT_EQ(index_->LocalTermStatistics({"cedar"}, *view).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(FullTextIndexTest, RemovedDocumentsLeaveTheStatisticsAndAreNotLoadedAgain) {
  const v1::Article kept = Numbered(0, "cedar oak");
  const v1::Article written = Numbered(1, "cedar");
  const v1::Article in_memory = Numbered(2, "cedar pine");
  Store({kept, written});
  ASSERT_TRUE(index_->WriteSegment(/*force=*/true).ok());
  Store({in_memory});
  const uint64_t total_terms = Statistics({}).total_terms();

  rocksdb::WriteBatch batch;
  const absl::Status removed = index_->RemoveDocuments(
      {*EncodeId(written.id()), *EncodeId(in_memory.id())},
      {IndexText(written.title(), written.body()),
       IndexText(in_memory.title(), in_memory.body())},
      &batch, [this, &batch] {
        return store_.database().db()->Write(rocksdb::WriteOptions(), &batch).ok()
                   ? absl::OkStatus()
                   : absl::InternalError("write failed");
      });
  ASSERT_TRUE(removed.ok()) << removed;
  // The one in memory was written out first, so that its counts are stored.
  EXPECT_EQ(index_->InMemoryFigures().documents, 0u);
  EXPECT_TRUE(Unindexed().empty());
  EXPECT_FALSE(index_->documents().IsLive(1));
  EXPECT_FALSE(index_->documents().IsLive(2));
  v1::TermStatistics statistics = Statistics({"cedar", "pine", "oak"});
  EXPECT_EQ(statistics.document_count(), 1u);
  EXPECT_EQ(statistics.total_terms(),
            total_terms - IndexText(written.title(), written.body()).length -
                IndexText(in_memory.title(), in_memory.body()).length);
  EXPECT_EQ(statistics.document_frequency().at("cedar"), 1u);
  EXPECT_EQ(statistics.document_frequency().at("pine"), 0u);
  EXPECT_EQ(statistics.document_frequency().at("oak"), 1u);

  Restart();
  EXPECT_TRUE(index_->documents().IsLive(0));
  EXPECT_FALSE(index_->documents().IsLive(1));
  EXPECT_FALSE(index_->documents().IsLive(2));
  EXPECT_EQ(Statistics({"cedar"}).document_frequency().at("cedar"), 1u);
  EXPECT_EQ(Statistics({}).document_count(), 1u);
}

TEST_F(FullTextIndexTest, TheNumberOfARemovedDocumentIsNeverGivenAgain) {
  // The written segment keeps the postings of a removed document, which
  // searches pass over because its number is dead: a new article given the
  // same number after a restart would inherit them.
  const v1::Article removed = Numbered(1, "cedar");
  Store({Numbered(0, "oak"), removed});
  ASSERT_TRUE(index_->WriteSegment(/*force=*/true).ok());
  rocksdb::WriteBatch batch;
  ASSERT_TRUE(index_
                  ->RemoveDocuments({*EncodeId(removed.id())},
                                    {IndexText(removed.title(), removed.body())}, &batch,
                                    [this, &batch] {
                                      EXPECT_TRUE(store_.database()
                                                      .db()
                                                      ->Write(rocksdb::WriteOptions(), &batch)
                                                      .ok());
                                      return absl::OkStatus();
                                    })
                  .ok());
  Restart();
  EXPECT_FALSE(index_->documents().IsLive(1));
  const Documents added = Store({Numbered(2, "elm")});
  ASSERT_EQ(added.size(), 1u);
  EXPECT_GT(added[0], 1u) << "a removed document's number was given again";
  ASSERT_TRUE(index_->WriteSegment(/*force=*/true).ok());
  EXPECT_EQ(WrittenSegments("cedar"), (Segments{{0, {1}}}));
}

}  // namespace
}  // namespace archive::store
