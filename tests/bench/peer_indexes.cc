#include "tests/bench/peer_indexes.h"

#include <sqlite3.h>
#include <xapian.h>

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "tests/bench/corpus.h"
#include "tests/bench/proc_stats.h"

namespace archive::bench {
namespace {

// An empty folder at `dir`.
absl::Status MakeEmptyDir(const std::string& dir) {
  std::error_code error;
  std::filesystem::remove_all(dir, error);
  if (!std::filesystem::create_directories(dir, error) || error) {
    return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", error.message()));
  }
  return absl::OkStatus();
}

// ---- Xapian ----------------------------------------------------------------

absl::Status XapianStatus(const Xapian::Error& error) {
  return absl::InternalError(absl::StrCat("Xapian: ", error.get_description()));
}

class XapianWriter final : public PeerWriter {
 public:
  explicit XapianWriter(Xapian::WritableDatabase database)
      : database_(std::move(database)) {
    terms_.set_stemming_strategy(Xapian::TermGenerator::STEM_NONE);
  }

  absl::StatusOr<int64_t> AddBatch(
      const std::vector<const v1::Article*>& articles) override {
    try {
      int64_t added = 0;
      for (const v1::Article* article : articles) {
        const std::string unique = "Q" + StoredDigestAndId(*article).second;
        if (database_.term_exists(unique)) continue;  // sees uncommitted ones
        Xapian::Document document;
        terms_.set_document(document);
        terms_.index_text(article->title());
        terms_.increase_termpos();
        terms_.index_text(article->body());
        document.add_boolean_term(unique);
        document.set_data(article->SerializeAsString());
        database_.add_document(document);
        ++added;
      }
      database_.commit();
      return added;
    } catch (const Xapian::Error& error) {
      return XapianStatus(error);
    }
  }

  absl::Status Close() override {
    try {
      database_.commit();
      database_.close();
      return absl::OkStatus();
    } catch (const Xapian::Error& error) {
      return XapianStatus(error);
    }
  }

 private:
  Xapian::WritableDatabase database_;
  Xapian::TermGenerator terms_;
};

class XapianSearcher final : public PeerSearcher {
 public:
  explicit XapianSearcher(Xapian::Database database)
      : database_(std::move(database)), enquire_(database_) {
    parser_.set_default_op(Xapian::Query::OP_AND);
    parser_.set_stemming_strategy(Xapian::QueryParser::STEM_NONE);
    // Enquire ranks by BM25Weight unless told otherwise.
  }

  absl::StatusOr<std::vector<PeerHit>> Search(const std::string& words,
                                              int limit) override {
    try {
      enquire_.set_query(parser_.parse_query(words));
      const Xapian::MSet matches = enquire_.get_mset(0, limit);
      std::vector<PeerHit> hits;
      hits.reserve(matches.size());
      for (auto match = matches.begin(); match != matches.end(); ++match) {
        PeerHit& hit = hits.emplace_back();
        hit.score = match.get_weight();
        if (!hit.article.ParseFromString(match.get_document().get_data())) {
          return absl::DataLossError("Xapian: a document's data is not an Article");
        }
      }
      return hits;
    } catch (const Xapian::Error& error) {
      return XapianStatus(error);
    }
  }

 private:
  Xapian::Database database_;
  Xapian::Enquire enquire_;
  Xapian::QueryParser parser_;
};

// ---- SQLite FTS5 -------------------------------------------------------------

constexpr char kSqliteFile[] = "articles.sqlite";

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

absl::Status SqliteStatus(sqlite3* db, const std::string& what) {
  return absl::InternalError(absl::StrCat("SQLite: ", what, ": ", sqlite3_errmsg(db)));
}

absl::StatusOr<SqliteDb> OpenSqlite(const std::string& dir, int flags) {
  const std::string path = absl::StrCat(dir, "/", kSqliteFile);
  sqlite3* db = nullptr;
  const int code = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  SqliteDb owned(db);
  if (code != SQLITE_OK) {
    return absl::InternalError(absl::StrCat(
        "SQLite: cannot open ", path, ": ", db ? sqlite3_errmsg(db) : "out of memory"));
  }
  return owned;
}

absl::Status Execute(sqlite3* db, const std::string& sql) {
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteStatus(db, sql);
  }
  return absl::OkStatus();
}

absl::StatusOr<Statement> Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &statement,
                         nullptr) != SQLITE_OK) {
    return SqliteStatus(db, sql);
  }
  return Statement(statement);
}

// Runs a statement that returns no row, and resets it for the next run.
absl::Status StepToDone(sqlite3* db, sqlite3_stmt* statement) {
  const int code = sqlite3_step(statement);
  sqlite3_reset(statement);
  if (code != SQLITE_DONE) return SqliteStatus(db, sqlite3_sql(statement));
  return absl::OkStatus();
}

class SqliteWriter final : public PeerWriter {
 public:
  static absl::StatusOr<std::unique_ptr<PeerWriter>> Open(
      const std::string& dir, const PeerWriterOptions& options) {
    RETURN_IF_ERROR(MakeEmptyDir(dir));
    ASSIGN_OR_RETURN(SqliteDb db,
                     OpenSqlite(dir, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
    RETURN_IF_ERROR(Execute(
        db.get(),
        absl::StrCat(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = ",
            options.durable ? "FULL" : "NORMAL",
            "; CREATE TABLE articles (doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
            "content_digest TEXT NOT NULL, source TEXT NOT NULL, url TEXT, "
            "title TEXT NOT NULL, body TEXT NOT NULL, captions TEXT, authors TEXT, "
            "language TEXT, published_at TEXT NOT NULL, crawled_at TEXT); "
            "CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, "
            "content = 'articles', content_rowid = 'doc', tokenize = 'unicode61')")));
    auto writer = std::unique_ptr<SqliteWriter>(new SqliteWriter(std::move(db)));
    sqlite3* raw = writer->db_.get();
    ASSIGN_OR_RETURN(writer->begin_, Prepare(raw, "BEGIN IMMEDIATE"));
    ASSIGN_OR_RETURN(writer->commit_, Prepare(raw, "COMMIT"));
    ASSIGN_OR_RETURN(
        writer->insert_article_,
        Prepare(raw, absl::StrCat("INSERT INTO articles (", kPostgresColumns,
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                  "?11) ON CONFLICT (id) DO NOTHING")));
    ASSIGN_OR_RETURN(writer->insert_text_,
                     Prepare(raw,
                             "INSERT INTO articles_fts (rowid, title, body) "
                             "VALUES (?1, ?2, ?3)"));
    return writer;
  }

  absl::StatusOr<int64_t> AddBatch(
      const std::vector<const v1::Article*>& articles) override {
    sqlite3* db = db_.get();
    RETURN_IF_ERROR(StepToDone(db, begin_.get()));
    absl::StatusOr<int64_t> added = AddInTransaction(articles);
    if (!added.ok()) {
      (void)Execute(db, "ROLLBACK");
      return added.status();
    }
    RETURN_IF_ERROR(StepToDone(db, commit_.get()));
    return added;
  }

  absl::Status Close() override {
    begin_.reset();
    commit_.reset();
    insert_article_.reset();
    insert_text_.reset();
    // The last connection's close checkpoints the WAL into the database.
    if (db_ != nullptr && sqlite3_close(db_.get()) != SQLITE_OK) {
      return SqliteStatus(db_.get(), "close");
    }
    db_.release();
    return absl::OkStatus();
  }

 private:
  explicit SqliteWriter(SqliteDb db) : db_(std::move(db)) {}

  absl::StatusOr<int64_t> AddInTransaction(
      const std::vector<const v1::Article*>& articles) {
    sqlite3* db = db_.get();
    int64_t added = 0;
    for (const v1::Article* article : articles) {
      const std::vector<std::string> row = PostgresRow(*article);
      for (int column = 0; column < kPostgresColumnCount; ++column) {
        sqlite3_bind_text(insert_article_.get(), column + 1, row[column].data(),
                          static_cast<int>(row[column].size()), SQLITE_STATIC);
      }
      RETURN_IF_ERROR(StepToDone(db, insert_article_.get()));
      if (sqlite3_changes(db) == 0) continue;  // the id was there
      const v1::Article& text = *article;
      sqlite3_bind_int64(insert_text_.get(), 1, sqlite3_last_insert_rowid(db));
      sqlite3_bind_text(insert_text_.get(), 2, text.title().data(),
                        static_cast<int>(text.title().size()), SQLITE_STATIC);
      sqlite3_bind_text(insert_text_.get(), 3, text.body().data(),
                        static_cast<int>(text.body().size()), SQLITE_STATIC);
      RETURN_IF_ERROR(StepToDone(db, insert_text_.get()));
      ++added;
    }
    return added;
  }

  SqliteDb db_;
  Statement begin_, commit_, insert_article_, insert_text_;
};

// The words as an FTS5 query: each a quoted string (tokenized by the
// table's tokenizer), all of them required.
std::string Fts5Query(const std::string& words) {
  std::vector<std::string> quoted;
  for (absl::string_view word : absl::StrSplit(words, ' ', absl::SkipWhitespace())) {
    quoted.push_back(absl::StrCat("\"", absl::StrReplaceAll(word, {{"\"", "\"\""}}), "\""));
  }
  return absl::StrJoin(quoted, " AND ");
}

class SqliteSearcher final : public PeerSearcher {
 public:
  static absl::StatusOr<std::unique_ptr<PeerSearcher>> Open(const std::string& dir) {
    ASSIGN_OR_RETURN(SqliteDb db, OpenSqlite(dir, SQLITE_OPEN_READONLY));
    // FTS5 ranks the matches by bm25() (`rank`, lower is better) and keeps
    // the best `limit`; only those are joined to their rows.
    ASSIGN_OR_RETURN(
        Statement search,
        Prepare(db.get(),
                "SELECT a.id, a.source, a.url, a.language, a.title, a.body, hit.rank "
                "FROM (SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ?1 "
                "ORDER BY rank LIMIT ?2) AS hit JOIN articles AS a ON a.doc = hit.rowid "
                "ORDER BY hit.rank"));
    return std::unique_ptr<PeerSearcher>(
        new SqliteSearcher(std::move(db), std::move(search)));
  }

  absl::StatusOr<std::vector<PeerHit>> Search(const std::string& words,
                                              int limit) override {
    sqlite3_stmt* search = search_.get();
    const std::string query = Fts5Query(words);
    sqlite3_bind_text(search, 1, query.data(), static_cast<int>(query.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int(search, 2, limit);
    const auto text = [search](int column) {
      const unsigned char* bytes = sqlite3_column_text(search, column);
      return bytes == nullptr ? std::string()
                              : std::string(reinterpret_cast<const char*>(bytes),
                                            sqlite3_column_bytes(search, column));
    };
    std::vector<PeerHit> hits;
    int code;
    while ((code = sqlite3_step(search)) == SQLITE_ROW) {
      PeerHit& hit = hits.emplace_back();
      hit.article.set_id(text(0));
      hit.article.set_source(text(1));
      hit.article.set_url(text(2));
      hit.article.set_language(text(3));
      hit.article.set_title(text(4));
      hit.article.set_body(text(5));
      hit.score = -sqlite3_column_double(search, 6);
    }
    sqlite3_reset(search);
    if (code != SQLITE_DONE) return SqliteStatus(db_.get(), "search");
    return hits;
  }

 private:
  SqliteSearcher(SqliteDb db, Statement search)
      : db_(std::move(db)), search_(std::move(search)) {}

  SqliteDb db_;
  Statement search_;  // finalized before db_ closes
};

// ---- The peers as write systems ----------------------------------------------

class PeerTarget final : public IngestTarget {
 public:
  PeerTarget(std::unique_ptr<PeerWriter> writer, const IngestPhaseOptions& options)
      : IngestTarget(options), writer_(std::move(writer)) {}

  ~PeerTarget() override { (void)writer_->Close(); }

 protected:
  absl::Status Store(const std::vector<v1::Article>& articles, int64_t begin, int64_t end,
                     absl::Time deadline, IngestFigures* figures) override {
    return ForEachBatch(
        begin, end, options_.batch, 1, deadline, figures,
        [&](int, int64_t first, int64_t last, IngestFigures* mine) -> absl::Status {
          std::vector<const v1::Article*> batch;
          for (int64_t i = first; i < last; ++i) {
            ++mine->articles;
            mine->bytes += TextBytes(articles[i]);
            batch.push_back(&articles[i]);
          }
          const double cpu_before = ThreadCpuSeconds();
          absl::StatusOr<int64_t> added = writer_->AddBatch(batch);
          cpu_seconds_ += ThreadCpuSeconds() - cpu_before;
          RETURN_IF_ERROR(added.status());
          mine->stored += *added;
          mine->duplicates += (last - first) - *added;
          return absl::OkStatus();
        });
  }

  // Read between slices, after Store's thread has joined.
  std::optional<double> CpuSeconds() override { return cpu_seconds_; }

 private:
  std::unique_ptr<PeerWriter> writer_;
  double cpu_seconds_ = 0;
};

}  // namespace

const char* PeerName(PeerKind kind) {
  switch (kind) {
    case PeerKind::kXapian:
      return "xapian";
    case PeerKind::kSqliteFts:
      return "sqlite_fts";
  }
  return "";
}

absl::StatusOr<std::unique_ptr<PeerWriter>> OpenPeerWriter(
    PeerKind kind, const std::string& dir, const PeerWriterOptions& options) {
  switch (kind) {
    case PeerKind::kXapian:
      try {
        return std::unique_ptr<PeerWriter>(new XapianWriter(Xapian::WritableDatabase(
            dir, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS |
                     (options.durable ? 0 : Xapian::DB_NO_SYNC))));
      } catch (const Xapian::Error& error) {
        return XapianStatus(error);
      }
    case PeerKind::kSqliteFts:
      return SqliteWriter::Open(dir, options);
  }
  return absl::InvalidArgumentError("no such peer");
}

absl::StatusOr<std::unique_ptr<PeerSearcher>> OpenPeerSearcher(PeerKind kind,
                                                               const std::string& dir) {
  switch (kind) {
    case PeerKind::kXapian:
      try {
        return std::unique_ptr<PeerSearcher>(new XapianSearcher(Xapian::Database(dir)));
      } catch (const Xapian::Error& error) {
        return XapianStatus(error);
      }
    case PeerKind::kSqliteFts:
      return SqliteSearcher::Open(dir);
  }
  return absl::InvalidArgumentError("no such peer");
}

absl::StatusOr<std::unique_ptr<IngestTarget>> OpenPeerTarget(
    PeerKind kind, const std::string& dir, const IngestPhaseOptions& options) {
  PeerWriterOptions writer_options;
  writer_options.durable = options.sync;
  ASSIGN_OR_RETURN(std::unique_ptr<PeerWriter> writer,
                   OpenPeerWriter(kind, dir, writer_options));
  return std::unique_ptr<IngestTarget>(new PeerTarget(std::move(writer), options));
}

}  // namespace archive::bench
