#include "tests/bench/postgres_client.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"

namespace archive::bench {
namespace {

// libpq's C API (libpq-fe.h), as far as it is used here. These signatures
// and enum values have been stable since PostgreSQL 8.
using Oid = unsigned int;
constexpr int kConnectionOk = 0;  // CONNECTION_OK
constexpr int kCommandOk = 1;     // PGRES_COMMAND_OK
constexpr int kTuplesOk = 2;      // PGRES_TUPLES_OK

struct LibPq {
  void* (*connectdb)(const char*);
  int (*status)(const void*);
  char* (*error_message)(const void*);
  void (*finish)(void*);
  void* (*exec)(void*, const char*);
  void* (*exec_params)(void*, const char*, int, const Oid*, const char* const*,
                       const int*, const int*, int);
  void* (*prepare)(void*, const char*, const char*, int, const Oid*);
  void* (*exec_prepared)(void*, const char*, int, const char* const*, const int*,
                         const int*, int);
  int (*result_status)(const void*);
  char* (*result_error_message)(const void*);
  void (*clear)(void*);
  int (*ntuples)(const void*);
  int (*nfields)(const void*);
  int (*get_length)(const void*, int, int);
  char* (*get_value)(const void*, int, int);
  char* (*cmd_tuples)(void*);
};

template <typename F>
bool Bind(void* library, const char* name, F* function) {
  *function = reinterpret_cast<F>(::dlsym(library, name));
  return *function != nullptr;
}

// Loads libpq once; nullptr (and `error`) when it cannot.
const LibPq* LoadLibPq(std::string* error) {
  static std::once_flag once;
  static LibPq* api = nullptr;
  static std::string load_error;
  std::call_once(once, [] {
    void* library = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      load_error =
          absl::StrCat("cannot load libpq.so.5 (install postgresql): ", ::dlerror());
      return;
    }
    auto* loaded = new LibPq;
    const bool ok =
        Bind(library, "PQconnectdb", &loaded->connectdb) &&
        Bind(library, "PQstatus", &loaded->status) &&
        Bind(library, "PQerrorMessage", &loaded->error_message) &&
        Bind(library, "PQfinish", &loaded->finish) &&
        Bind(library, "PQexec", &loaded->exec) &&
        Bind(library, "PQexecParams", &loaded->exec_params) &&
        Bind(library, "PQprepare", &loaded->prepare) &&
        Bind(library, "PQexecPrepared", &loaded->exec_prepared) &&
        Bind(library, "PQresultStatus", &loaded->result_status) &&
        Bind(library, "PQresultErrorMessage", &loaded->result_error_message) &&
        Bind(library, "PQclear", &loaded->clear) &&
        Bind(library, "PQntuples", &loaded->ntuples) &&
        Bind(library, "PQnfields", &loaded->nfields) &&
        Bind(library, "PQgetlength", &loaded->get_length) &&
        Bind(library, "PQgetvalue", &loaded->get_value) &&
        Bind(library, "PQcmdTuples", &loaded->cmd_tuples);
    if (!ok) {
      load_error = "libpq.so.5 lacks a function the benchmark uses";
      delete loaded;
      return;
    }
    api = loaded;
  });
  if (api == nullptr) *error = load_error;
  return api;
}

const LibPq& Api() {
  std::string unused;
  return *LoadLibPq(&unused);  // loaded by Connect before any other use
}

std::vector<const char*> Pointers(const std::vector<std::string>& params) {
  std::vector<const char*> pointers;
  pointers.reserve(params.size());
  for (const std::string& param : params) pointers.push_back(param.c_str());
  return pointers;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresConnection>> PostgresConnection::Connect(
    const std::string& conninfo) {
  std::string error;
  const LibPq* api = LoadLibPq(&error);
  if (api == nullptr) return absl::UnavailableError(error);
  void* connection = api->connectdb(conninfo.c_str());
  if (connection == nullptr || api->status(connection) != kConnectionOk) {
    const std::string why =
        connection == nullptr ? "out of memory" : api->error_message(connection);
    if (connection != nullptr) api->finish(connection);
    return absl::UnavailableError(
        absl::StrCat("cannot connect to PostgreSQL (", conninfo,
                     "): ", absl::StripTrailingAsciiWhitespace(why)));
  }
  auto opened = std::unique_ptr<PostgresConnection>(new PostgresConnection(connection));
  // No NOTICEs ("table ... does not exist, skipping") on stderr.
  RETURN_IF_ERROR(opened->Execute("SET client_min_messages = warning").status());
  return opened;
}

PostgresConnection::~PostgresConnection() { Api().finish(connection_); }

absl::StatusOr<PostgresResult> PostgresConnection::Collect(void* result,
                                                           const std::string& what) {
  const LibPq& api = Api();
  if (result == nullptr) {
    return absl::InternalError(absl::StrCat(what, ": ", api.error_message(connection_)));
  }
  const int status = api.result_status(result);
  if (status != kCommandOk && status != kTuplesOk) {
    std::string why(absl::StripTrailingAsciiWhitespace(api.result_error_message(result)));
    api.clear(result);
    return absl::InternalError(absl::StrCat(what, ": ", why));
  }
  PostgresResult collected;
  collected.rows = api.ntuples(result);
  const int fields = api.nfields(result);
  for (int row = 0; row < collected.rows; ++row) {
    for (int field = 0; field < fields; ++field) {
      collected.bytes += api.get_length(result, row, field);
    }
  }
  if (collected.rows > 0 && fields > 0)
    collected.first_value = api.get_value(result, 0, 0);
  const char* affected = api.cmd_tuples(result);
  if (affected != nullptr && *affected != '\0') {
    collected.affected = std::strtoll(affected, nullptr, 10);
  }
  api.clear(result);
  return collected;
}

absl::StatusOr<PostgresResult> PostgresConnection::Execute(const std::string& sql) {
  return Collect(Api().exec(connection_, sql.c_str()), sql.substr(0, 60));
}

absl::StatusOr<PostgresResult> PostgresConnection::Execute(
    const std::string& sql, const std::vector<std::string>& params) {
  const std::vector<const char*> values = Pointers(params);
  return Collect(
      Api().exec_params(connection_, sql.c_str(), static_cast<int>(params.size()),
                        nullptr, values.data(), nullptr, nullptr, 0),
      sql.substr(0, 60));
}

absl::Status PostgresConnection::Prepare(const std::string& name,
                                         const std::string& sql) {
  return Collect(Api().prepare(connection_, name.c_str(), sql.c_str(), 0, nullptr),
                 absl::StrCat("prepare ", name))
      .status();
}

absl::StatusOr<PostgresResult> PostgresConnection::ExecutePrepared(
    const std::string& name, const std::vector<std::string>& params) {
  const std::vector<const char*> values = Pointers(params);
  return Collect(
      Api().exec_prepared(connection_, name.c_str(), static_cast<int>(params.size()),
                          values.data(), nullptr, nullptr, 0),
      name);
}

std::string PostgresTextArray(const std::vector<std::string>& values) {
  std::string literal = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    literal += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  literal += '}';
  return literal;
}

}  // namespace archive::bench
