// Store: the durable home of work orders. The event log (`events`) is the
// truth; `orders` and `order_depts` are projections written in the same
// transaction.
//
// Writes go through ONE writer thread that drains everything queued, commits it
// in one transaction (group commit; WAL, synchronous=FULL) and only then calls
// each caller's completion. A failed commit is fail-stop: no completion is
// ever called with success for an uncommitted change.
//
// Reads use a separate read-only connection (WAL readers never block the
// writer) and see only committed data.
//
// No SQLite type appears here, so a PostgreSQL Store can implement the same
// interface later.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/lifecycle.hpp"
#include "dispatcher/core/order.hpp"

namespace huying::db {

// The new state of one order and the events that led to it (core's OrderChange).
using Change = core::OrderChange;

// A small keyed record beside the orders (sign-in sessions, users made by
// the admin API, ...): written in the same group commit as the orders.
struct RecordWrite {
  std::string kind;                  // e.g. "session", "user"
  std::string key;                   // unique within the kind
  std::optional<std::string> value;  // JSON text; nullopt deletes the record
};

// One administrative write for the audit trail (order writes are audited by
// their events, which carry the actor).
struct AuditEntry {
  core::Millis at = 0;
  core::Actor actor;
  std::string action;  // e.g. "login", "logout", "user.create", "config.reload"
  std::string target;  // the user, order or file acted on
  std::string detail;  // JSON text, never personal data
};

// What one caller submits: committed atomically, all or nothing.
struct Batch {
  std::vector<Change> changes;
  // Optional Idempotency-Key of the creating request; remembered with the
  // first change's order number.
  std::string idempotency_key;
  std::vector<RecordWrite> records;
  std::vector<AuditEntry> audit;
};

struct CommitStatus {
  bool ok = true;
  std::string error;  // set when !ok (only if the fatal handler returned)
  // When ok: the stored documents of the batch's orders (serialised
  // core::to_json), in order. The completion may move them out (a reply
  // reuses the first); valid during the call only.
  std::vector<std::string>* docs = nullptr;
  // When ok: the committed batch; the completion may move out of it too.
  Batch* batch = nullptr;
};

// Called on the writer thread after the batch's transaction committed (or
// failed). Must not block long: post the real work elsewhere.
using Completion = std::function<void(const CommitStatus&)>;

struct OrderFilter {
  std::vector<core::Status> statuses;  // empty = any
  std::string dept;                    // lead or assisting department
  std::string area_prefix;             // e.g. a street's 9-digit prefix
  std::optional<core::Kind> kind;
  core::Millis created_from = 0;  // inclusive, 0 = open-ended
  core::Millis created_to = 0;    // exclusive, 0 = open-ended
  int limit = 50;                 // 1..500
  int offset = 0;
  // Further filters (all AND-ed).
  std::string category_prefix;  // "城市管理" matches "城市管理/市容环境/..."
  std::optional<core::Mode> mode;
  std::optional<core::Urgency> urgency;
  std::optional<core::Channel> channel;
  bool only_open = false;
  core::Millis overdue_at = 0;      // > 0: open orders whose current deadline is before this
  std::uint16_t sla_flags_any = 0;  // orders with any of these SlaFlag bits
  std::vector<std::string> flags;   // each true in the order: supervised, difficult,
                                    // needs_review, hot_spot, reported_list, duplicate
  std::string text;                 // in the title, description or address (not the contact)
  std::int64_t before_id = 0;       // cursor: only orders with a smaller id (newest first)
  // Visibility (OR-ed, then AND-ed with the rest): a role's scope. Both empty
  // and scope_all false: nothing.
  bool scope_all = true;
  std::string scope_dept;
  std::string scope_area_prefix;
  // Queues: order by the current deadline (soonest first) instead of newest first.
  bool by_deadline = false;
};

struct OrderPage {
  std::vector<core::WorkOrder> items;  // newest first
  std::int64_t total = 0;              // matching orders, ignoring paging
};

// One line of the audit trail: an order event or an administrative write.
struct AuditRow {
  core::Millis at = 0;
  core::Actor actor;
  std::string action;  // the event type, or the admin action
  std::string target;  // the order number, user, ...
  std::string detail;  // JSON text
};

struct AuditQuery {
  core::Millis from = 0, to = 0;  // [from, to); 0 = open-ended
  std::string actor;              // one user's writes only
  int limit = 100;                // 1..1000
};

// The few columns the hot-spot window needs, without parsing documents.
struct OrderBrief {
  std::string number;
  std::string area;
  std::string category;
  core::Millis created_at = 0;
};

// One of a caller's orders (their history, found by phone number).
struct CallerOrder {
  std::string number;
  std::string status;
  std::string kind;
  std::string category;
  std::string area;
  core::Millis created_at = 0;
};

struct OrderHistory {
  core::WorkOrder order;
  std::vector<core::Event> events;
};

struct StoreStats {
  std::uint64_t transactions = 0;  // commits done
  std::uint64_t batches = 0;       // caller batches committed
  std::uint64_t events = 0;        // events committed
};

class Store {
 public:
  virtual ~Store() = default;

  // Queues a batch for the writer. Thread-safe. Blocks only when the queue is
  // full (back-pressure). `done` runs on the writer thread after commit.
  virtual void submit(Batch batch, Completion done) = 0;
  // Blocks until everything submitted before the call is committed.
  virtual void flush() = 0;

  // Reads (thread-safe; see only committed data).
  virtual std::optional<OrderHistory> get_order(const std::string& number) = 0;
  virtual OrderPage list_orders(const OrderFilter& f) = 0;
  // Every order still open, for the engine at start, oldest first, in chunks
  // of a few thousand as they are parsed (a million open orders need not be
  // held twice). One read snapshot; its own connection, so request reads go
  // on meanwhile. An exception thrown by `chunk` stops the scan and passes.
  virtual void for_each_open_order_chunk(
      const std::function<void(std::vector<core::WorkOrder>&)>& chunk) = 0;
  // The same, all at once.
  std::vector<core::WorkOrder> load_open_orders();
  // Every order created at or after `from` (closed ones too), oldest first,
  // in one indexed scan: the hot-spot window rebuilt at start.
  virtual std::vector<OrderBrief> orders_created_since(core::Millis from) = 0;
  // Calls fn with the full history (oldest event first) of every order
  // created before `to` that had an event at or after `from`, or is open now:
  // what a report over [from, to) needs. One pass over the event log.
  // With open_too false, only the orders with an event at or after `from`
  // (the recent past a restart's live board starts from; indexed by time).
  virtual void for_each_history(core::Millis from, core::Millis to,
                                const std::function<void(std::vector<core::Event>&)>& fn,
                                bool open_too = true) = 0;
  // A caller's orders, newest first (at most `limit`, 1..500), by phone
  // number in any usual form (+86, spaces, dashes): the first caller's and
  // every merged caller's. Indexed: one B-tree range, whatever the store's size.
  virtual std::vector<CallerOrder> orders_by_phone(const std::string& phone, int limit) = 0;
  // Highest id and number issued so far (0 / "" on an empty store). The
  // number is the one of the highest id: ids and numbers are allocated
  // together, and a daily sequence may grow past 6 digits, so comparing
  // numbers as text would not find the highest.
  virtual std::int64_t max_order_id() = 0;
  virtual std::string max_order_number() = 0;
  // The order number a creating request with this key produced, if any.
  virtual std::optional<std::string> find_idempotency_key(const std::string& key) = 0;
  // Every stored idempotency key (the engine's filter of keys at start).
  virtual void for_each_idempotency_key(const std::function<void(const std::string&)>& fn) = 0;
  virtual std::int64_t count_events() = 0;
  // Records (see RecordWrite): one, or all of a kind (key, value), by key.
  virtual std::optional<std::string> get_record(const std::string& kind,
                                                const std::string& key) = 0;
  virtual std::vector<std::pair<std::string, std::string>> list_records(
      const std::string& kind) = 0;
  // The audit trail, newest first: order events and administrative writes.
  virtual std::vector<AuditRow> list_audit(const AuditQuery& q) = 0;
  // Stored events by type.
  virtual std::map<std::string, std::int64_t> event_counts() = 0;
  // "ok" or SQLite's list of problems.
  virtual std::string integrity_check() = 0;
  virtual StoreStats stats() const = 0;
  // The writer's durability settings as the database reports them after
  // opening, e.g. {"journal_mode": "wal", "synchronous": "2"} (2 = FULL).
  virtual std::map<std::string, std::string> settings() const = 0;
};

struct SqliteOptions {
  std::string path;               // a file, or ":memory:" is NOT supported (two connections)
  std::size_t max_group = 4096;   // most batches in one transaction
  std::size_t max_queue = 65536;  // submit() blocks past this many queued batches
  // Under load, wait this long before a commit so more batches share its fsync
  // (PostgreSQL's commit_delay/commit_siblings idea): only when the previous
  // transaction carried at least `commit_siblings` batches, so a quiet system
  // never waits. 0 disables it.
  std::chrono::microseconds commit_delay{200};
  std::size_t commit_siblings = 4;
  // Called when a commit fails. The default logs at critical and ends the
  // process (fail-stop) so nothing uncommitted is acknowledged. If it returns,
  // the failed batches complete with !ok and the writer stops accepting work.
  std::function<void(const std::string& what)> on_fatal;
};

// Opens (creating if needed) and migrates the SQLite file; starts the writer.
// Throws std::runtime_error with the file and the reason on failure.
std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& opts);

// The schema version this build writes (PRAGMA user_version).
int sqlite_schema_version();

}  // namespace huying::db
