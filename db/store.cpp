#include "db/store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <future>
#include <limits>
#include <mutex>
#include <thread>
#include <variant>

#include "db/group_commit.hpp"
#include "db/sqlite.hpp"
#include "db/store_rows.hpp"
#include "dispatcher/core/command_args.hpp"

namespace huying::db {

namespace json = boost::json;
using core::Millis;

namespace {

// Forward migrations; migration i takes the schema from version i to i+1.
// Never edit a shipped entry: append a new one.
const char* const kMigrations[] = {
    // v1: event log, order projection, department queue, idempotency keys.
    R"sql(
CREATE TABLE orders (
  id          INTEGER PRIMARY KEY,
  number      TEXT NOT NULL UNIQUE,
  status      TEXT NOT NULL,
  open        INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  urgency     TEXT NOT NULL,
  channel     TEXT NOT NULL,
  category    TEXT NOT NULL,
  area        TEXT NOT NULL,
  lead_dept   TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  next_due    INTEGER,
  version     INTEGER NOT NULL,
  doc         TEXT NOT NULL
);
-- Department queues go through order_depts (lead and assisting); open orders
-- are loaded whole at start, so their deadlines need no index of their own.
-- Every index is paid for on each commit: add one only for a real query.
CREATE INDEX orders_area_status ON orders(area, status);
CREATE INDEX orders_open ON orders(id) WHERE open = 1;
CREATE INDEX orders_created ON orders(created_at);

CREATE TABLE order_depts (
  dept     TEXT NOT NULL,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  role     TEXT NOT NULL,
  status   TEXT NOT NULL,
  PRIMARY KEY (dept, order_id)
) WITHOUT ROWID;
CREATE INDEX order_depts_order ON order_depts(order_id);

CREATE TABLE events (
  id          INTEGER PRIMARY KEY,
  order_id    INTEGER NOT NULL REFERENCES orders(id),
  seq         INTEGER NOT NULL,
  at          INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  role        TEXT NOT NULL,
  actor_dept  TEXT NOT NULL,
  actor_area  TEXT NOT NULL,
  type        TEXT NOT NULL,
  data        TEXT NOT NULL,
  UNIQUE (order_id, seq)
);

CREATE TABLE idempotency (
  key          TEXT PRIMARY KEY,
  order_number TEXT NOT NULL,
  at           INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // v2: callers' phone numbers (normalised) for a caller's history; filled
    // from the stored orders by backfill_callers() below.
    R"sql(
CREATE TABLE callers (
  phone    TEXT NOT NULL,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  PRIMARY KEY (phone, order_id)
) WITHOUT ROWID;
)sql",
    // v3: keyed records (sign-in sessions, users of the admin API) and the
    // audit trail of administrative writes (order writes are their events).
    R"sql(
CREATE TABLE records (
  kind  TEXT NOT NULL,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE TABLE audit (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  actor      TEXT NOT NULL,
  role       TEXT NOT NULL,
  actor_dept TEXT NOT NULL,
  action     TEXT NOT NULL,
  target     TEXT NOT NULL,
  detail     TEXT NOT NULL
);
CREATE INDEX audit_at ON audit(at);
CREATE INDEX events_at ON events(at);
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

// One stored event from a row whose columns from `col` on are seq, at, actor,
// role, actor_dept, actor_area, type, data.
core::Event read_event(Statement& q, int col, std::string number) {
  core::Event e;
  e.order = std::move(number);
  e.seq = static_cast<std::uint32_t>(q.col_int(col));
  e.at = q.col_int(col + 1);
  e.actor.user = q.col_text(col + 2);
  e.actor.role = core::parse<core::Role>(q.col_text(col + 3)).value_or(core::Role::system);
  e.actor.dept = q.col_text(col + 4);
  e.actor.area = q.col_text(col + 5);
  e.type = core::parse<core::EventType>(q.col_text(col + 6)).value_or(core::EventType::noted);
  e.data = json::parse(q.col_text(col + 7)).as_object();
  return e;
}

class SqliteStore final : public GroupCommitStore {
 public:
  explicit SqliteStore(const SqliteOptions& opts)
      : GroupCommitStore(writer_options(opts)), opts_(opts) {
    if (opts_.path.empty() || opts_.path == ":memory:")
      throw std::runtime_error("store: a file path is required (got '" + opts_.path + "')");
    try {
      w_ = std::make_unique<Connection>(opts_.path, Connection::Mode::read_write);
      w_->exec("PRAGMA busy_timeout=5000");
      std::string mode = w_->query_text("PRAGMA journal_mode=WAL");
      if (mode != "wal") throw std::runtime_error("cannot switch to WAL mode (got " + mode + ")");
      w_->exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
      // Read back what SQLite actually uses (tests hold us to FULL).
      settings_["journal_mode"] = w_->query_text("PRAGMA journal_mode");
      settings_["synchronous"] = std::to_string(w_->query_int("PRAGMA synchronous"));
      settings_["foreign_keys"] = std::to_string(w_->query_int("PRAGMA foreign_keys"));
      settings_["store"] = "sqlite";
      migrate();
      settings_["schema_version"] = std::to_string(kSchemaVersion);
      prepare();
      r_ = std::make_unique<Connection>(opts_.path, Connection::Mode::read_only);
      r_->exec("PRAGMA busy_timeout=5000; PRAGMA query_only=ON;");
    } catch (const std::exception& e) {
      throw std::runtime_error("store " + opts_.path + ": " + e.what());
    }
    start_writer();
  }

  ~SqliteStore() override { stop_writer(); }

  static WriterOptions writer_options(const SqliteOptions& o) {
    return {o.max_group, o.max_queue, o.commit_delay, o.commit_siblings, o.on_fatal};
  }

  // A read transaction, so a document and its events (or a count and its
  // page) come from the same snapshot.
  struct ReadTx {
    Connection& c;
    explicit ReadTx(Connection& conn) : c(conn) { c.exec("BEGIN"); }
    ~ReadTx() {
      try {
        c.exec("COMMIT");
      } catch (...) {
      }
    }
  };

  std::optional<OrderHistory> get_order(const std::string& number) override {
    std::lock_guard lk(rmu_);
    ReadTx tx(*r_);
    Statement q(*r_, "SELECT id, doc FROM orders WHERE number = ?");
    q.bind(1, number);
    if (!q.step()) return std::nullopt;
    OrderHistory h;
    std::int64_t id = q.col_int(0);
    h.order = core::order_from_json(json::parse(q.col_text(1)));
    Statement ev(*r_,
                 "SELECT seq, at, actor, role, actor_dept, actor_area, type, data "
                 "FROM events WHERE order_id = ? ORDER BY seq");
    ev.bind(1, id);
    while (ev.step()) h.events.push_back(read_event(ev, 0, number));
    return h;
  }

  OrderPage list_orders(const OrderFilter& f) override {
    // Binds in order (SQLite's ? are positional); documents through json_extract.
    struct Dialect final : SqlDialect {
      std::vector<std::variant<std::string, std::int64_t>> binds;
      std::string text(std::string v) override {
        binds.emplace_back(std::move(v));
        return "?";
      }
      std::string integer(std::int64_t v) override {
        binds.emplace_back(v);
        return "?";
      }
      std::string doc_text(const std::string& f) const override {
        return "json_extract(doc, '$." + f + "')";
      }
      std::string doc_int(const std::string& f) const override { return doc_text(f); }
      std::string doc_true(const std::string& f) const override { return doc_text(f) + " = 1"; }
      std::string is_open() const override { return "open = 1"; }
      int bind(Statement& st, std::size_t n) const {
        int i = 1;
        for (std::size_t k = 0; k < n; ++k)
          std::visit([&](const auto& v) { st.bind(i++, v); }, binds[k]);
        return i;
      }
    } d;
    const OrderQuery oq = order_query(f, d);
    const int limit = std::clamp(f.limit, 1, 500);
    const int offset = std::max(0, f.offset);

    std::lock_guard lk(rmu_);
    ReadTx tx(*r_);
    OrderPage page;
    Statement count(*r_, "SELECT count(*) FROM orders" + oq.count_where);
    d.bind(count, oq.count_binds);
    if (count.step()) page.total = count.col_int(0);
    Statement q(*r_, "SELECT doc FROM orders" + oq.page_where + oq.order_by + " LIMIT ? OFFSET ?");
    int next = d.bind(q, d.binds.size());
    q.bind(next, limit).bind(next + 1, offset);
    while (q.step()) page.items.push_back(core::order_from_json(json::parse(q.col_text(0))));
    return page;
  }

  void for_each_open_order_chunk(
      const std::function<void(std::vector<core::WorkOrder>&)>& chunk) override {
    // Its own connection (WAL readers never block each other), so reads for
    // requests go on while a restart loads a million orders; the documents
    // are parsed by two threads while this one reads the next chunk.
    Connection c(opts_.path, Connection::Mode::read_only);
    c.exec("PRAGMA busy_timeout=5000; PRAGMA query_only=ON;");
    ReadTx tx(c);
    Statement q(c, "SELECT doc FROM orders WHERE open = 1 ORDER BY id");
    constexpr std::size_t kChunk = 4096;
    auto parse = [](std::vector<std::string> docs) {
      std::vector<core::WorkOrder> orders;
      orders.reserve(docs.size());
      // Each document parsed into a stack buffer (spilling to the heap only
      // when larger), then copied into its order: no per-value allocations.
      alignas(16) static thread_local unsigned char buf[32768];
      for (const auto& d : docs) {
        json::monotonic_resource mr(buf, sizeof buf);
        orders.push_back(core::order_from_json(json::parse(d, &mr)));
      }
      return orders;
    };
    std::deque<std::future<std::vector<core::WorkOrder>>> parsing;
    bool more = true;
    while (more || !parsing.empty()) {
      if (more) {
        std::vector<std::string> docs;
        docs.reserve(kChunk);
        while (docs.size() < kChunk && (more = q.step())) docs.push_back(q.col_text(0));
        if (!docs.empty())
          parsing.push_back(std::async(std::launch::async, parse, std::move(docs)));
      }
      // At most two chunks being parsed; handed on in order.
      while (!parsing.empty() && (parsing.size() > 2 || !more)) {
        auto orders = parsing.front().get();
        parsing.pop_front();
        chunk(orders);
      }
    }
  }

  std::vector<OrderBrief> orders_created_since(Millis from) override {
    std::lock_guard lk(rmu_);
    std::vector<OrderBrief> out;
    Statement q(*r_,
                "SELECT number, area, category, created_at FROM orders WHERE created_at >= ? "
                "ORDER BY created_at, id");
    q.bind(1, from);
    while (q.step()) out.push_back({q.col_text(0), q.col_text(1), q.col_text(2), q.col_int(3)});
    return out;
  }

  void for_each_history(Millis from, Millis to,
                        const std::function<void(std::vector<core::Event>&)>& fn,
                        bool open_too) override {
    std::lock_guard lk(rmu_);
    ReadTx tx(*r_);
    Statement q(*r_,
                std::string("SELECT o.number, e.order_id, e.seq, e.at, e.actor, e.role, "
                            "e.actor_dept, e.actor_area, e.type, e.data "
                            "FROM orders o JOIN events e ON e.order_id = o.id WHERE o.created_at "
                            "< ?1 AND ") +
                    (open_too ? "(o.open = 1 OR o.updated_at >= ?2)"
                              : "o.id IN (SELECT order_id FROM events WHERE at >= ?2)") +
                    " ORDER BY e.order_id, e.seq");
    q.bind(1, to).bind(2, from);
    std::vector<core::Event> history;
    std::int64_t current = -1;
    while (q.step()) {
      std::int64_t id = q.col_int(1);
      if (id != current && !history.empty()) {
        fn(history);
        history.clear();
      }
      current = id;
      history.push_back(read_event(q, 2, q.col_text(0)));
    }
    if (!history.empty()) fn(history);
  }

  std::vector<CallerOrder> orders_by_phone(const std::string& phone, int limit) override {
    std::vector<CallerOrder> out;
    std::string p = core::normalize_phone(phone);
    if (p.empty()) return out;
    std::lock_guard lk(rmu_);
    Statement q(
        *r_,
        "SELECT o.number, o.status, o.kind, o.category, o.area, o.created_at FROM callers c "
        "JOIN orders o ON o.id = c.order_id WHERE c.phone = ? ORDER BY c.order_id DESC LIMIT ?");
    q.bind(1, p).bind(2, std::clamp(limit, 1, 500));
    while (q.step())
      out.push_back({q.col_text(0), q.col_text(1), q.col_text(2), q.col_text(3), q.col_text(4),
                     q.col_int(5)});
    return out;
  }

  std::int64_t max_order_id() override {
    std::lock_guard lk(rmu_);
    return r_->query_int("SELECT coalesce(max(id), 0) FROM orders");
  }

  std::string max_order_number() override {
    std::lock_guard lk(rmu_);
    return r_->query_text("SELECT number FROM orders ORDER BY id DESC LIMIT 1");
  }

  std::optional<std::string> find_idempotency_key(const std::string& key) override {
    std::lock_guard lk(rmu_);
    Statement q(*r_, "SELECT order_number FROM idempotency WHERE key = ?");
    q.bind(1, key);
    if (!q.step()) return std::nullopt;
    return q.col_text(0);
  }

  std::optional<std::string> get_record(const std::string& kind, const std::string& key) override {
    std::lock_guard lk(rmu_);
    Statement q(*r_, "SELECT value FROM records WHERE kind = ? AND key = ?");
    q.bind(1, kind).bind(2, key);
    if (!q.step()) return std::nullopt;
    return q.col_text(0);
  }

  std::vector<std::pair<std::string, std::string>> list_records(const std::string& kind) override {
    std::lock_guard lk(rmu_);
    std::vector<std::pair<std::string, std::string>> out;
    Statement q(*r_, "SELECT key, value FROM records WHERE kind = ? ORDER BY key");
    q.bind(1, kind);
    while (q.step()) out.emplace_back(q.col_text(0), q.col_text(1));
    return out;
  }

  std::vector<AuditRow> list_audit(const AuditQuery& aq) override {
    std::lock_guard lk(rmu_);
    std::vector<AuditRow> out;
    const Millis to = aq.to ? aq.to : std::numeric_limits<Millis>::max();
    const std::int64_t limit = std::clamp(aq.limit, 1, 1000);
    // Both sources are indexed by time; each gives at most `limit` rows.
    Statement q(*r_, R"sql(
SELECT at, actor, role, actor_dept, action, target, detail FROM (
  SELECT e.at AS at, e.actor AS actor, e.role AS role, e.actor_dept AS actor_dept,
         e.type AS action, o.number AS target, '{}' AS detail, e.id AS k, 0 AS src
  FROM events e JOIN orders o ON o.id = e.order_id
  WHERE e.at >= ?1 AND e.at < ?2 AND (?3 = '' OR e.actor = ?3)
  ORDER BY e.at DESC LIMIT ?4)
UNION ALL
SELECT at, actor, role, actor_dept, action, target, detail FROM (
  SELECT at, actor, role, actor_dept, action, target, detail, id AS k, 1 AS src FROM audit
  WHERE at >= ?1 AND at < ?2 AND (?3 = '' OR actor = ?3)
  ORDER BY at DESC LIMIT ?4)
ORDER BY at DESC LIMIT ?4)sql");
    q.bind(1, aq.from).bind(2, to).bind(3, aq.actor).bind(4, limit);
    while (q.step()) {
      AuditRow r;
      r.at = q.col_int(0);
      r.actor.user = q.col_text(1);
      r.actor.role = core::parse<core::Role>(q.col_text(2)).value_or(core::Role::system);
      r.actor.dept = q.col_text(3);
      r.action = q.col_text(4);
      r.target = q.col_text(5);
      r.detail = q.col_text(6);
      out.push_back(std::move(r));
    }
    return out;
  }

  void for_each_idempotency_key(const std::function<void(const std::string&)>& fn) override {
    // Its own connection: a long scan at start does not hold up request reads.
    Connection c(opts_.path, Connection::Mode::read_only);
    c.exec("PRAGMA busy_timeout=5000; PRAGMA query_only=ON;");
    Statement q(c, "SELECT key FROM idempotency");
    while (q.step()) fn(q.col_text(0));
  }

  std::int64_t count_events() override {
    std::lock_guard lk(rmu_);
    return r_->query_int("SELECT count(*) FROM events");
  }

  std::map<std::string, std::int64_t> event_counts() override {
    std::lock_guard lk(rmu_);
    std::map<std::string, std::int64_t> out;
    Statement q(*r_, "SELECT type, count(*) FROM events GROUP BY type");
    while (q.step()) out[q.col_text(0)] = q.col_int(1);
    return out;
  }

  std::string integrity_check() override {
    std::lock_guard lk(rmu_);
    Statement q(*r_, "PRAGMA integrity_check");
    std::string out;
    while (q.step()) {
      if (!out.empty()) out += "; ";
      out += q.col_text(0);
    }
    return out;
  }

  std::map<std::string, std::string> settings() const override { return settings_; }

 private:
  void migrate() {
    int have = static_cast<int>(w_->query_int("PRAGMA user_version"));
    if (have > kSchemaVersion)
      throw std::runtime_error("schema version " + std::to_string(have) +
                               " is newer than this build understands (" +
                               std::to_string(kSchemaVersion) + ")");
    for (int v = have; v < kSchemaVersion; ++v) {
      Transaction tx(*w_);
      w_->exec(kMigrations[v]);
      if (v + 1 == 2) backfill_callers();
      w_->exec("PRAGMA user_version=" + std::to_string(v + 1));
      tx.commit();
      spdlog::info("store: migrated {} to schema version {}", opts_.path, v + 1);
    }
  }

  // Every stored order's callers into `callers` (schema v2).
  void backfill_callers() {
    Statement q(*w_, "SELECT id, doc FROM orders");
    Statement ins(*w_, "INSERT OR IGNORE INTO callers (phone, order_id) VALUES (?, ?)");
    std::size_t n = 0;
    while (q.step()) {
      auto o = core::order_from_json(json::parse(q.col_text(1)));
      for (const auto& phone : caller_phones(o)) {
        ins.bind(1, phone).bind(2, q.col_int(0)).run();
        ++n;
      }
    }
    spdlog::info("store: {} caller phone numbers indexed", n);
  }

  void prepare() {
    upsert_order_ = std::make_unique<Statement>(*w_, R"sql(
INSERT INTO orders (id, number, status, open, kind, urgency, channel, category, area,
                    lead_dept, created_at, updated_at, next_due, version, doc)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
ON CONFLICT(id) DO UPDATE SET
  status = excluded.status, open = excluded.open, kind = excluded.kind,
  urgency = excluded.urgency, channel = excluded.channel, category = excluded.category,
  area = excluded.area, lead_dept = excluded.lead_dept, updated_at = excluded.updated_at,
  next_due = excluded.next_due, version = excluded.version, doc = excluded.doc)sql");
    del_depts_ = std::make_unique<Statement>(*w_, "DELETE FROM order_depts WHERE order_id = ?");
    ins_dept_ = std::make_unique<Statement>(
        *w_, "INSERT INTO order_depts (dept, order_id, role, status) VALUES (?, ?, ?, ?)");
    ins_event_ = std::make_unique<Statement>(*w_, R"sql(
INSERT INTO events (order_id, seq, at, actor, role, actor_dept, actor_area, type, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
    ins_idem_ = std::make_unique<Statement>(
        *w_, "INSERT INTO idempotency (key, order_number, at) VALUES (?, ?, ?)");
    ins_caller_ = std::make_unique<Statement>(
        *w_, "INSERT OR IGNORE INTO callers (phone, order_id) VALUES (?, ?)");
    put_record_ = std::make_unique<Statement>(
        *w_, "INSERT OR REPLACE INTO records (kind, key, value) VALUES (?, ?, ?)");
    del_record_ =
        std::make_unique<Statement>(*w_, "DELETE FROM records WHERE kind = ? AND key = ?");
    ins_audit_ = std::make_unique<Statement>(
        *w_,
        "INSERT INTO audit (at, actor, role, actor_dept, action, target, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
  }

  void write(const Job& j) {
    const Batch& b = j.batch;
    std::size_t ev_index = 0;
    for (std::size_t ci = 0; ci < b.changes.size(); ++ci) {
      const auto& c = b.changes[ci];
      const auto& o = c.order;
      auto& u = *upsert_order_;
      u.bind(1, o.id).bind(2, o.number).bind(3, core::name(o.status));
      u.bind(4, o.open() ? 1 : 0).bind(5, core::name(o.kind)).bind(6, core::name(o.urgency));
      u.bind(7, core::name(o.channel)).bind(8, o.category).bind(9, o.area);
      if (auto* lead = o.lead_dept())
        u.bind(10, *lead);
      else
        u.bind_null(10);
      u.bind(11, o.created_at).bind(12, o.updated_at);
      if (Millis due = core::current_due(o))
        u.bind(13, due);
      else
        u.bind_null(13);
      u.bind(14, static_cast<std::int64_t>(o.version));
      u.bind(15, j.docs[ci]);
      u.run();
      // A new order (its history starts in this change) has no department rows yet.
      if (!starts_order(c)) del_depts_->bind(1, o.id).run();
      for (const auto& a : o.depts) {
        ins_dept_->bind(1, a.dept).bind(2, o.id).bind(3, core::name(a.role));
        ins_dept_->bind(4, core::name(o.status)).run();
      }
      // Callers' phones: when the order is new, or its callers or contact changed.
      if (callers_changed(c))
        for (const auto& phone : caller_phones(o)) ins_caller_->bind(1, phone).bind(2, o.id).run();
      for (const auto& e : c.events) {
        auto& s = *ins_event_;
        s.bind(1, o.id).bind(2, static_cast<std::int64_t>(e.seq)).bind(3, e.at);
        s.bind(4, e.actor.user).bind(5, core::name(e.actor.role)).bind(6, e.actor.dept);
        s.bind(7, e.actor.area).bind(8, core::name(e.type)).bind(9, j.event_data[ev_index++]);
        s.run();
      }
    }
    if (!b.idempotency_key.empty() && !b.changes.empty()) {
      const auto& o = b.changes.front().order;
      ins_idem_->bind(1, b.idempotency_key).bind(2, o.number).bind(3, o.created_at).run();
    }
    for (const auto& r : b.records) {
      if (r.value)
        put_record_->bind(1, r.kind).bind(2, r.key).bind(3, *r.value).run();
      else
        del_record_->bind(1, r.kind).bind(2, r.key).run();
    }
    for (const auto& a : b.audit) {
      auto& st = *ins_audit_;
      st.bind(1, a.at).bind(2, a.actor.user).bind(3, core::name(a.actor.role));
      st.bind(4, a.actor.dept).bind(5, a.action).bind(6, a.target);
      st.bind(7, a.detail.empty() ? std::string("{}") : a.detail).run();
    }
  }

  void write_group(const std::vector<Job>& group) override {
    Transaction tx(*w_);
    for (const auto& j : group) write(j);
    tx.commit();
  }

  SqliteOptions opts_;
  std::map<std::string, std::string> settings_;  // set before the writer starts
  std::unique_ptr<Connection> w_;                // writer thread only (after construction)
  std::unique_ptr<Statement> upsert_order_, del_depts_, ins_dept_, ins_event_, ins_idem_,
      ins_caller_, put_record_, del_record_, ins_audit_;
  std::unique_ptr<Connection> r_;
  std::mutex rmu_;  // guards r_
};

}  // namespace

std::vector<core::WorkOrder> Store::load_open_orders() {
  std::vector<core::WorkOrder> out;
  for_each_open_order_chunk([&](std::vector<core::WorkOrder>& chunk) {
    for (auto& o : chunk) out.push_back(std::move(o));
  });
  return out;
}

std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& opts) {
  return std::make_unique<SqliteStore>(opts);
}

int sqlite_schema_version() { return kSchemaVersion; }

}  // namespace huying::db
