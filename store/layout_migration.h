// The store's layout version and the migrations from older layouts, run by
// ArticleDb::Open before the database serves anything.
//
// The version is the default family's "format" key: absent before document
// numbers, "2" (kNumberedFormat) before article heads, "3" (kFormat) now.
// A database of a version this build does not know is refused. Each
// migration is written in batches and can be cut short by a crash: the next
// open goes on from where it stopped, and the version is written last, in
// the migration's final, fsynced batch.
//
// Functions run on the opening thread, before any other use of the
// database.
#ifndef STORE_LAYOUT_MIGRATION_H_
#define STORE_LAYOUT_MIGRATION_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/column_families.h"
#include "store/full_text_index.h"

namespace archive::store {

struct Layout {
  // Its articles have document numbers.
  bool numbered = false;
  // Its articles have heads.
  bool has_heads = false;
};

// The layout of `database`; FAILED_PRECONDITION for a version this build
// does not read.
absl::StatusOr<Layout> ReadLayout(const StoreDatabase& database);

// For a database from before document numbers: numbers its articles, in key
// order, as unindexed documents of `index` (which Recover then indexes),
// going on after the last article numbered by a numbering cut short; then
// records the numbered layout.
absl::Status NumberArticles(const StoreDatabase& database, FullTextIndex* index);

// For a database from before heads: writes every article's head (articles
// that do not decode get none: Verify reports them), then records the
// current layout.
absl::Status WriteAllHeads(const StoreDatabase& database);

}  // namespace archive::store

#endif  // STORE_LAYOUT_MIGRATION_H_
