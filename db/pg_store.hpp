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

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "db/group_commit.hpp"
#include "db/store.hpp"

namespace huying::db {

// The district's lease: a session-level PostgreSQL advisory lock named
// after the schema (one district per schema), taken on the connection that
// becomes the store's writer. PostgreSQL releases it when that session ends
// (a dead process, a lost link), and every write transaction checks it holds
// it (fencing): a dispatcher whose session lost the lease commits nothing
// more. Advisory locks are not replicated: after a promotion the lease is
// won again, on the new primary.
class PgLease {
 public:
  ~PgLease();
  PgLease(const PgLease&) = delete;
  PgLease& operator=(const PgLease&) = delete;
  // The lease's name: "huying:" and the schema.
  const std::string& name() const;

  struct Impl;  // pg_store.cpp's
  explicit PgLease(std::unique_ptr<Impl> impl);
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct LeaseOptions {
  std::string url;
  std::string schema;  // as PgOptions::schema
  std::chrono::milliseconds poll{500};
  const std::atomic<bool>* stop = nullptr;  // wait_for_lease returns nullptr once set
  // Called when a try fails, with the reason (who holds it, or why the
  // database cannot be reached), and again each time the reason changes.
  std::function<void(const std::string& why)> waiting;
};

// One try: the lease, or nullptr and `why` (held by another session, the
// database unreachable or a standby).
std::unique_ptr<PgLease> try_lease(const LeaseOptions& opts, std::string& why);
// Tries every opts.poll until the lease is won (nullptr when *opts.stop).
std::unique_ptr<PgLease> wait_for_lease(const LeaseOptions& opts);

struct PgOptions {
  // A libpq connection string or URL, e.g.
  // postgresql://huying@10.0.0.1:5432,10.0.0.2:5432/huying?target_session_attrs=read-write
  std::string url;
  // Optional: the schema the tables live in (created if missing), so several
  // districts (or test runs) share one database. Lower-case letters, digits
  // and '_'. Empty: the connection's search_path (public).
  std::string schema;
  WriterOptions writer;
  // Optional: the district's lease, won by wait_for_lease with the same url
  // and schema; its connection becomes the writer's, every transaction is
  // fenced by it and, when idle, the writer checks it once a second (a lost
  // lease or link is fail-stop).
  std::shared_ptr<PgLease> lease;
  // Reads only (reports, replay): allowed on a hot standby; no writer, no
  // migration, every write refused.
  bool read_only = false;
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
