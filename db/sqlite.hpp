// Thin RAII wrappers over the SQLite C API, in the manner of SQLiteCpp.
// No SQLite header here: sqlite3.h is included only by db/*.cpp.
//
// Not thread-safe: a Connection and its Statements belong to one thread at a
// time (the writer thread, or a reader holding the store's read lock).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace huying::db {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class Connection {
 public:
  enum class Mode { read_write, read_only };
  // Opens (and for read_write creates) the database file. Throws SqliteError.
  Connection(const std::string& path, Mode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements with no results. Throws SqliteError.
  void exec(const std::string& sql);
  // Runs a query returning one integer (e.g. a PRAGMA). Throws SqliteError.
  std::int64_t query_int(const std::string& sql);
  std::string query_text(const std::string& sql);
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A prepared statement. Bind indexes start at 1, column indexes at 0.
class Statement {
 public:
  Statement(Connection& c, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v);
  Statement& bind(int i, std::string_view v);  // copied (SQLITE_TRANSIENT)
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind_null(int i);

  // Steps once: true when a row is available. Throws SqliteError.
  bool step();
  // Steps to completion, expecting no row. Throws SqliteError.
  void run();
  // Resets for reuse and clears bindings.
  void reset();

  std::int64_t col_int(int i) const;
  double col_double(int i) const;
  std::string col_text(int i) const;
  bool col_null(int i) const;

 private:
  Connection& conn_;
  sqlite3_stmt* st_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& c);
  ~Transaction();
  void commit();  // Throws SqliteError; the transaction is then rolled back.

 private:
  Connection& c_;
  bool done_ = false;
};

}  // namespace huying::db
