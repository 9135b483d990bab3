#include "db/sqlite.hpp"

#include <sqlite3.h>

namespace huying::db {

namespace {
[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw SqliteError(rc, msg);
}
}  // namespace

Connection::Connection(const std::string& path, Mode mode) : path_(path) {
  int flags =
      mode == Mode::read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;  // one thread at a time, by contract
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg =
        "cannot open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(rc, msg);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() { sqlite3_close_v2(db_); }

void Connection::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqliteError(rc, msg + " (in: " + sql.substr(0, 80) + ")");
  }
}

std::int64_t Connection::query_int(const std::string& sql) {
  Statement st(*this, sql);
  return st.step() ? st.col_int(0) : 0;
}

std::string Connection::query_text(const std::string& sql) {
  Statement st(*this, sql);
  return st.step() ? st.col_text(0) : std::string();
}

Statement::Statement(Connection& c, std::string_view sql) : conn_(c) {
  int rc = sqlite3_prepare_v3(c.handle(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &st_, nullptr);
  if (rc != SQLITE_OK) throw_error(c.handle(), rc, "prepare: " + std::string(sql.substr(0, 80)));
}

Statement::~Statement() { sqlite3_finalize(st_); }

Statement& Statement::bind(int i, std::int64_t v) {
  int rc = sqlite3_bind_int64(st_, i, v);
  if (rc != SQLITE_OK) throw_error(conn_.handle(), rc, "bind");
  return *this;
}
Statement& Statement::bind(int i, double v) {
  int rc = sqlite3_bind_double(st_, i, v);
  if (rc != SQLITE_OK) throw_error(conn_.handle(), rc, "bind");
  return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
  int rc = sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) throw_error(conn_.handle(), rc, "bind");
  return *this;
}
Statement& Statement::bind_null(int i) {
  int rc = sqlite3_bind_null(st_, i);
  if (rc != SQLITE_OK) throw_error(conn_.handle(), rc, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_error(conn_.handle(), rc, "step");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

std::int64_t Statement::col_int(int i) const { return sqlite3_column_int64(st_, i); }
double Statement::col_double(int i) const { return sqlite3_column_double(st_, i); }
std::string Statement::col_text(int i) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, i));
  int n = sqlite3_column_bytes(st_, i);
  return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}
bool Statement::col_null(int i) const { return sqlite3_column_type(st_, i) == SQLITE_NULL; }

Transaction::Transaction(Connection& c) : c_(c) { c_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) {
    // Never throws: a failed rollback leaves the connection to be closed.
    sqlite3_exec(c_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void Transaction::commit() {
  c_.exec("COMMIT");
  done_ = true;
}

}  // namespace huying::db
