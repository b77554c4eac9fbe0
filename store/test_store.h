// For the store's tests: a StoreDatabase of its own in a new temporary
// directory, closed and opened again at will, and articles put into it the
// two ways the parts under test meet them: a bare row of the articles family
// (a store from before document numbers and heads), or stored by the put
// path with every index entry; rows written and read behind the parts'
// backs; bytes of a file damaged. Test-only; one thread.
#ifndef STORE_TEST_STORE_H_
#define STORE_TEST_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/v1/store.pb.h"
#include "store/article_writer.h"
#include "store/column_families.h"
#include "store/full_text_index.h"
#include "store/near_duplicate_index.h"

namespace archive::store {

// Where `article` is stored in the articles family: source 0x00 time id.
std::string ArticleKeyOf(const v1::Article& article);

// Flips the bits of one byte of `file`, at `offset`, in place: damage that
// RocksDB's checksums find, and a test must not be able to read as data.
void FlipByte(const std::string& file, uint64_t offset);

class TestStore {
 public:
  // A new empty database in a directory named after `prefix`.
  explicit TestStore(const std::string& prefix);
  TestStore(const TestStore&) = delete;
  TestStore& operator=(const TestStore&) = delete;

  const std::string& path() const { return path_; }
  const StoreDatabase& database() const { return *database_; }

  // Closes the database and opens it again, as a restart would: what was
  // only in memory is gone. A part the test built on database() must be
  // destroyed first.
  void Reopen(bool read_only = false);

  // Writes one row of `family`, with none of what the store would write
  // with it; and reads one (nullopt when there is none).
  void PutRow(Family family, const std::string& key, const std::string& value);
  std::optional<std::string> Row(Family family, const std::string& key) const;

  // Writes the article's row of the articles family, and nothing else.
  void PutArticleRow(const v1::Article& article);

  // Stores `articles` in one Put of ArticleWriter, over a FullTextIndex and
  // a NearDuplicateIndex of its own, opened on first use as ArticleDb opens
  // them.
  std::vector<v1::PutResult> Put(const std::vector<v1::Article>& articles);

  // The keys of `family`, in order.
  std::vector<std::string> Keys(Family family) const;

 private:
  // The put path's parts, built on the database, dropped before it closes.
  struct Writer {
    explicit Writer(const StoreDatabase* database);
    FullTextIndex index;
    NearDuplicateIndex near_duplicates;
    ArticleWriter writer;
  };

  std::string path_;
  std::unique_ptr<StoreDatabase> database_;
  std::unique_ptr<Writer> writer_;
};

}  // namespace archive::store

#endif  // STORE_TEST_STORE_H_
