#include "db/backup.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>

#include "db/sqlite.hpp"

namespace huying::db {

namespace fs = std::filesystem;

namespace {

// All pages from `from` into `to`, in one step: one read transaction.
void copy_pages(Connection& from, Connection& to) {
  sqlite3_backup* b = sqlite3_backup_init(to.handle(), "main", from.handle(), "main");
  if (!b) throw std::runtime_error(sqlite3_errmsg(to.handle()));
  int rc = sqlite3_backup_step(b, -1);
  int fin = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) throw std::runtime_error(std::string("copy: ") + sqlite3_errstr(rc));
  if (fin != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(to.handle()));
}

BackupReport inspect(Connection& c, const std::string& path) {
  BackupReport r;
  r.integrity = c.query_text("PRAGMA integrity_check");
  r.schema_version = static_cast<int>(c.query_int("PRAGMA user_version"));
  auto has = [&](const char* table) {
    return c.query_int(std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                   "name = '") +
                       table + "'") > 0;
  };
  if (has("orders")) {
    r.orders = c.query_int("SELECT count(*) FROM orders");
    r.open_orders = c.query_int("SELECT count(*) FROM orders WHERE open = 1");
  }
  if (has("events")) r.events = c.query_int("SELECT count(*) FROM events");
  std::error_code ec;
  r.bytes = fs::file_size(path, ec);
  return r;
}

void remove_db_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix);
}

}  // namespace

BackupReport backup_sqlite(const std::string& db_path, const std::string& to_path) {
  if (!fs::exists(db_path)) throw std::runtime_error("no store at " + db_path);
  if (fs::exists(to_path))
    throw std::runtime_error(to_path + " exists: a backup never overwrites a file");
  const std::string partial = to_path + ".partial";
  remove_db_files(partial);
  BackupReport r;
  try {
    {
      Connection from(db_path, Connection::Mode::read_only);
      from.exec("PRAGMA busy_timeout=10000");
      Connection to(partial, Connection::Mode::read_write);
      copy_pages(from, to);
      // One self-contained file: no -wal beside it.
      to.exec("PRAGMA journal_mode=DELETE");
      r = inspect(to, partial);
    }
    if (r.integrity != "ok") throw std::runtime_error("the copy failed its check: " + r.integrity);
    fs::rename(partial, to_path);
  } catch (...) {
    remove_db_files(partial);
    throw;
  }
  std::error_code ec;
  r.bytes = fs::file_size(to_path, ec);
  return r;
}

BackupReport restore_sqlite(const std::string& from_path, const std::string& db_path, bool force) {
  if (!fs::exists(from_path)) throw std::runtime_error("no backup at " + from_path);
  if (fs::exists(db_path) && !force)
    throw std::runtime_error(
        db_path + " exists: restore into a new file, or stop the server and add --force");
  const std::string partial = db_path + ".restoring";
  remove_db_files(partial);
  BackupReport r;
  try {
    {
      Connection from(from_path, Connection::Mode::read_only);
      BackupReport src = inspect(from, from_path);
      if (src.integrity != "ok")
        throw std::runtime_error("the backup is damaged: " + src.integrity);
      Connection to(partial, Connection::Mode::read_write);
      copy_pages(from, to);
      to.exec("PRAGMA journal_mode=WAL");
      r = inspect(to, partial);
    }
    if (r.integrity != "ok")
      throw std::runtime_error("the restored copy failed its check: " + r.integrity);
    remove_db_files(db_path);
    fs::rename(partial, db_path);
    if (fs::exists(partial + "-wal")) fs::rename(partial + "-wal", db_path + "-wal");
    fs::remove(partial + "-shm");
  } catch (...) {
    remove_db_files(partial);
    throw;
  }
  std::error_code ec;
  r.bytes = fs::file_size(db_path, ec);
  return r;
}

}  // namespace huying::db
