// Backups of the SQLite store, taken while the server runs (issue 11).
//
// A backup is SQLite's online backup API run in one step from a read-only
// connection: one read transaction, so the copy is the store as of one
// instant (every commit before it, none after), and in WAL mode that read
// never blocks the writer. The copy is written beside the target as
// "<to>.partial", switched to a single self-contained file (no -wal), checked
// (PRAGMA integrity_check) and only then renamed to <to>: a crash mid-way
// never leaves a file that looks like a backup.
//
// A restore copies a backup into a store file that does not exist yet (or,
// with force, replaces one that no server is using), back in WAL mode.
#pragma once

#include <cstdint>
#include <string>

namespace huying::db {

struct BackupReport {
  std::int64_t orders = 0;
  std::int64_t open_orders = 0;
  std::int64_t events = 0;
  int schema_version = 0;
  std::uintmax_t bytes = 0;
  std::string integrity;  // "ok", or what PRAGMA integrity_check said
};

// Copies the store at `db_path` to `to_path`. Throws std::runtime_error with
// the reason (a missing store, an existing target, a failed check).
BackupReport backup_sqlite(const std::string& db_path, const std::string& to_path);

// Copies the backup at `from_path` to the store file `db_path`. Refuses an
// existing store file unless `force` (stop the server first). Throws
// std::runtime_error with the reason.
BackupReport restore_sqlite(const std::string& from_path, const std::string& db_path, bool force);

}  // namespace huying::db
