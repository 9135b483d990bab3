// The PostgreSQL Store (issue 11): the same interface and guarantees as the
// SQLite one. One writer connection with group commit (a group of batches
// per transaction, synchronous_commit=on: with a synchronous standby a
// commit returns once the WAL is on both machines' disks), fail-stop on a
// failed commit, reads on their own connection (MVCC: they never block the
// writer), schema migrations with a version (table huying_schema).
//
// Documents and event data are stored as the same JSON text as in SQLite
// (byte for byte); filters on document fields cast it to jsonb.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "db/group_commit.hpp"
#include "db/store.hpp"

namespace huying::db {

struct PgOptions {
  // A libpq connection string or URL, e.g.
  // postgresql://huying@10.0.0.1:5432,10.0.0.2:5432/huying?target_session_attrs=read-write
  std::string url;
  // Optional: the schema the tables live in (created if missing), so several
  // districts (or test runs) share one database. Lower-case letters, digits
  // and '_'. Empty: the connection's search_path (public).
  std::string schema;
  WriterOptions writer;
};

// Connects, migrates and starts the writer. Throws std::runtime_error with
// the reason (the URL's password is never in it).
std::unique_ptr<Store> open_pg_store(const PgOptions& opts);

// The schema version this build writes (huying_schema.version).
int pg_schema_version();

// `huying migrate`: every row of a SQLite store (events, the projections,
// idempotency keys, callers, records, the audit trail) into an empty
// PostgreSQL store, in one transaction, then checked: the same count per
// table and the same checksum over each table's rows, read back from
// PostgreSQL. Throws std::runtime_error with the reason (nothing is left
// half-copied: the transaction is rolled back).
struct MigrateReport {
  std::map<std::string, std::int64_t> rows;  // per table
  std::string checksum;                      // of every table, both sides agreeing
};
MigrateReport migrate_sqlite_to_pg(const std::string& sqlite_path, const PgOptions& to);

// True for a --db value that names PostgreSQL rather than a SQLite file.
bool is_pg_url(const std::string& db);

// A --db value fit for a log line: a URL's or a key/value string's password
// replaced by ***; a SQLite path as it is.
std::string db_label(const std::string& db);

}  // namespace huying::db
