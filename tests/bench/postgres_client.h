// PostgresConnection: the little of libpq the benchmark needs, to load and
// query the PostgreSQL it compares the archive with.
//
// libpq is loaded when the first connection is made (dlopen of libpq.so.5,
// from Debian's libpq5, which the postgresql package pulls in), not linked:
// the archive's `bazel build //...` then needs nothing of PostgreSQL, and a
// machine without it runs the benchmark without the PostgreSQL figures.
//
// Parameters and results are in text form. One connection is for one thread
// at a time.
#ifndef TESTS_BENCH_POSTGRES_CLIENT_H_
#define TESTS_BENCH_POSTGRES_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace archive::bench {

// What a statement returned, in brief: the benchmark counts, it does not
// read.
struct PostgresResult {
  int64_t rows = 0;         // rows returned
  int64_t affected = 0;     // rows inserted, updated or deleted
  int64_t bytes = 0;        // bytes of every value returned
  std::string first_value;  // row 0, column 0, when there is one
};

class PostgresConnection {
 public:
  // `conninfo` as libpq takes it: "host=/tmp/x port=5432 user=postgres".
  // UNAVAILABLE when libpq cannot be loaded or the server not reached.
  static absl::StatusOr<std::unique_ptr<PostgresConnection>> Connect(
      const std::string& conninfo);

  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;
  ~PostgresConnection();

  // One or more statements without parameters.
  absl::StatusOr<PostgresResult> Execute(const std::string& sql);
  // One statement with $1, $2, ... parameters.
  absl::StatusOr<PostgresResult> Execute(const std::string& sql,
                                         const std::vector<std::string>& params);
  // Prepares `sql` under `name`, then runs it by name.
  absl::Status Prepare(const std::string& name, const std::string& sql);
  absl::StatusOr<PostgresResult> ExecutePrepared(const std::string& name,
                                                 const std::vector<std::string>& params);

 private:
  explicit PostgresConnection(void* connection) : connection_(connection) {}
  absl::StatusOr<PostgresResult> Collect(void* result, const std::string& what);

  void* connection_;  // PGconn*
};

// `values` as a PostgreSQL array literal of text: {"a","b \"c\""}.
std::string PostgresTextArray(const std::vector<std::string>& values);

}  // namespace archive::bench

#endif  // TESTS_BENCH_POSTGRES_CLIENT_H_
