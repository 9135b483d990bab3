#include "db/pg_store.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "db/sqlite.hpp"
#include "db/store_rows.hpp"
#include "dispatcher/core/command_args.hpp"

namespace huying::db {

namespace json = boost::json;
using core::Millis;

namespace {

using Param = std::optional<std::string>;
using Params = std::vector<Param>;

// A query's result (RAII over PGresult).
class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  ~Result() { PQclear(r_); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }

  int rows() const { return PQntuples(r_); }
  std::string text(int row, int col) const { return PQgetvalue(r_, row, col); }
  bool null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::int64_t num(int row, int col) const {
    return PQgetisnull(r_, row, col) ? 0 : std::stoll(PQgetvalue(r_, row, col));
  }

 private:
  PGresult* r_;
};

// One connection (RAII over PGconn); one thread at a time, by contract.
class Conn {
 public:
  // create: make the schema if missing (not on a standby: it is read-only).
  Conn(const std::string& url, const std::string& schema, bool create = true) : c_(connect(url)) {
    if (PQstatus(c_) != CONNECTION_OK) {
      std::string why = c_ ? PQerrorMessage(c_) : "out of memory";
      PQfinish(c_);
      throw std::runtime_error("cannot connect to PostgreSQL: " + trim(why));
    }
    exec("SET synchronous_commit = on");
    exec("SET client_min_messages = warning");
    // The server notices a dead or cut-off client within ~15 s (and frees
    // its lease), not after the kernel's two hours.
    exec(
        "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; "
        "SET tcp_keepalives_count = 3; SET tcp_user_timeout = 10000");
    if (!schema.empty()) {
      if (create) exec("CREATE SCHEMA IF NOT EXISTS " + schema);
      exec("SET search_path TO " + schema);
    }
  }
  ~Conn() { PQfinish(c_); }

  // The URL with our defaults under it: a connect timeout, and TCP
  // keepalives so a query on a link that died fails in seconds. Listed
  // before the URL, so its own settings win.
  static PGconn* connect(const std::string& url) {
    const char* keys[] = {
        "connect_timeout",  "keepalives",       "keepalives_idle", "keepalives_interval",
        "keepalives_count", "tcp_user_timeout", "dbname",          nullptr};
    const char* values[] = {"10", "1", "5", "2", "3", "10000", url.c_str(), nullptr};
    return PQconnectdbParams(keys, values, 1);
  }

  // libpq's form of the parameters: C strings, NULL for SQL NULL.
  static std::vector<const char*> values_of(const Params& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    return values;
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Without parameters: the simple protocol (several statements allowed).
  Result exec(const std::string& sql, const Params& params = {}) {
    if (params.empty()) return check(PQexec(c_, sql.c_str()), sql);
    const auto values = values_of(params);
    return check(PQexecParams(c_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, 0),
                 sql);
  }
  void prepare(const std::string& name, const std::string& sql) {
    check(PQprepare(c_, name.c_str(), sql.c_str(), 0, nullptr), sql);
  }
  Result run(const std::string& name, const Params& params) {
    const auto values = values_of(params);
    return check(PQexecPrepared(c_, name.c_str(), static_cast<int>(values.size()), values.data(),
                                nullptr, nullptr, 0),
                 name);
  }
  // Pipeline mode: statements go out without waiting for each answer (one
  // round trip for a whole group), then end() reads every result.
  void pipeline_begin() {
    if (!PQenterPipelineMode(c_)) throw std::runtime_error(trim(PQerrorMessage(c_)));
    sent_ = 0;
  }
  void send(const std::string& name, const Params& params) {
    const auto values = values_of(params);
    if (!PQsendQueryPrepared(c_, name.c_str(), static_cast<int>(values.size()), values.data(),
                             nullptr, nullptr, 0))
      throw std::runtime_error(trim(PQerrorMessage(c_)));
    ++sent_;
  }
  void send_sql(const char* sql) {
    if (!PQsendQueryParams(c_, sql, 0, nullptr, nullptr, nullptr, nullptr, 0))
      throw std::runtime_error(trim(PQerrorMessage(c_)));
    ++sent_;
  }
  // A sync, then every result up to it; leaves pipeline mode; throws the
  // first error (the statements after it were not run).
  void pipeline_end() {
    if (!PQpipelineSync(c_)) throw std::runtime_error(trim(PQerrorMessage(c_)));
    std::string error;
    std::size_t nulls = 0;
    for (;;) {
      PGresult* r = PQgetResult(c_);
      if (!r) {
        // One NULL ends each statement's results; more than that: the link is gone.
        if (PQstatus(c_) == CONNECTION_BAD || ++nulls > sent_ + 1)
          throw std::runtime_error("lost the connection: " + trim(PQerrorMessage(c_)));
        continue;
      }
      auto st = PQresultStatus(r);
      if (st == PGRES_FATAL_ERROR && error.empty()) error = trim(PQresultErrorMessage(r));
      PQclear(r);
      if (st == PGRES_PIPELINE_SYNC) break;
    }
    PQexitPipelineMode(c_);
    if (!error.empty()) throw std::runtime_error(error);
  }

  std::string value(const std::string& sql) {
    Result r = exec(sql);
    return r.rows() ? r.text(0, 0) : std::string();
  }

 private:
  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
  Result check(PGresult* r, const std::string& what) {
    auto st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Result(r);
    std::string why = r ? PQresultErrorMessage(r) : PQerrorMessage(c_);
    PQclear(r);
    if (why.empty()) why = PQerrorMessage(c_);
    throw std::runtime_error(trim(why) + " (in: " + what.substr(0, 80) + ")");
  }
  PGconn* c_;
  std::size_t sent_ = 0;
};

std::string str(std::int64_t v) { return std::to_string(v); }

// Forward migrations; migration i takes the schema from version i to i+1.
// Never edit a shipped entry: append a new one. Version 1 is the SQLite
// store's schema v3 in PostgreSQL's words.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE orders (
  id          BIGINT PRIMARY KEY,
  number      TEXT NOT NULL UNIQUE,
  status      TEXT NOT NULL,
  open        BOOLEAN NOT NULL,
  kind        TEXT NOT NULL,
  urgency     TEXT NOT NULL,
  channel     TEXT NOT NULL,
  category    TEXT NOT NULL,
  area        TEXT NOT NULL,
  lead_dept   TEXT,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  next_due    BIGINT,
  version     BIGINT NOT NULL,
  doc         TEXT NOT NULL
);
CREATE INDEX orders_area_status ON orders (area, status);
CREATE INDEX orders_open ON orders (id) WHERE open;
CREATE INDEX orders_created ON orders (created_at);
CREATE TABLE order_depts (
  dept     TEXT NOT NULL,
  order_id BIGINT NOT NULL REFERENCES orders (id),
  role     TEXT NOT NULL,
  status   TEXT NOT NULL,
  PRIMARY KEY (dept, order_id)
);
CREATE INDEX order_depts_order ON order_depts (order_id);
CREATE TABLE events (
  id          BIGSERIAL PRIMARY KEY,
  order_id    BIGINT NOT NULL REFERENCES orders (id),
  seq         INTEGER NOT NULL,
  at          BIGINT NOT NULL,
  actor       TEXT NOT NULL,
  role        TEXT NOT NULL,
  actor_dept  TEXT NOT NULL,
  actor_area  TEXT NOT NULL,
  type        TEXT NOT NULL,
  data        TEXT NOT NULL,
  UNIQUE (order_id, seq)
);
CREATE INDEX events_at ON events (at);
CREATE TABLE idempotency (
  key          TEXT PRIMARY KEY,
  order_number TEXT NOT NULL,
  at           BIGINT NOT NULL
);
CREATE TABLE callers (
  phone    TEXT NOT NULL,
  order_id BIGINT NOT NULL REFERENCES orders (id),
  PRIMARY KEY (phone, order_id)
);
CREATE TABLE records (
  kind  TEXT NOT NULL,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE TABLE audit (
  id         BIGSERIAL PRIMARY KEY,
  at         BIGINT NOT NULL,
  actor      TEXT NOT NULL,
  role       TEXT NOT NULL,
  actor_dept TEXT NOT NULL,
  action     TEXT NOT NULL,
  target     TEXT NOT NULL,
  detail     TEXT NOT NULL
);
CREATE INDEX audit_at ON audit (at);
)sql",
    // 2: fencing. Raises unless this session holds the district's lease
    // (pg_try_advisory_lock(7262613, hashtext(lease)), see PgLease).
    R"sql(
CREATE FUNCTION huying_fence(lease TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                 AND pid = pg_backend_pid() AND classid = 7262613
                 AND objid = hashtext(lease)::oid AND objsubid = 2) THEN
    RAISE EXCEPTION 'fenced: this session does not hold the lease %', lease;
  END IF;
END $$;
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

// One stored event from columns col.. of row: seq, at, actor, role,
// actor_dept, actor_area, type, data.
core::Event event_at(const Result& r, int row, int col, std::string number) {
  core::Event e;
  e.order = std::move(number);
  e.seq = static_cast<std::uint32_t>(r.num(row, col));
  e.at = r.num(row, col + 1);
  e.actor.user = r.text(row, col + 2);
  e.actor.role = core::parse<core::Role>(r.text(row, col + 3)).value_or(core::Role::system);
  e.actor.dept = r.text(row, col + 4);
  e.actor.area = r.text(row, col + 5);
  e.type = core::parse<core::EventType>(r.text(row, col + 6)).value_or(core::EventType::noted);
  e.data = json::parse(r.text(row, col + 7)).as_object();
  return e;
}

void check_schema_name(const std::string& schema) {
  if (!std::all_of(schema.begin(), schema.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      }))
    throw std::runtime_error("schema '" + schema + "': use lower-case letters, digits and _");
}

constexpr const char* kStandbyError =
    "the database is a standby (read-only): point --db at the primary "
    "(target_session_attrs=read-write finds it)";

// The writer's options: with a lease, an idle writer checks it every second.
WriterOptions writer_options(const PgOptions& o) {
  WriterOptions w = o.writer;
  if (o.lease && w.idle_check.count() == 0) w.idle_check = std::chrono::seconds(1);
  return w;
}

}  // namespace

struct PgLease::Impl {
  std::unique_ptr<Conn> conn;  // holds the lock; handed to the store's writer
  std::string name;
};

PgLease::PgLease(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgLease::~PgLease() = default;
const std::string& PgLease::name() const { return impl_->name; }

std::unique_ptr<PgLease> try_lease(const LeaseOptions& opts, std::string& why) {
  try {
    check_schema_name(opts.schema);
    auto impl = std::make_unique<PgLease::Impl>();
    impl->conn = std::make_unique<Conn>(opts.url, opts.schema, false);
    if (impl->conn->value("SELECT pg_is_in_recovery()") == "t") {
      why = kStandbyError;
      return nullptr;
    }
    if (!opts.schema.empty()) impl->conn->exec("CREATE SCHEMA IF NOT EXISTS " + opts.schema);
    impl->name = "huying:" +
                 (opts.schema.empty() ? impl->conn->value("SELECT current_schema()") : opts.schema);
    if (impl->conn->exec("SELECT pg_try_advisory_lock(7262613, hashtext($1))", {impl->name})
            .text(0, 0) == "t")
      return std::make_unique<PgLease>(std::move(impl));
    // Who has it: for the log and /healthz of the one waiting.
    Result h = impl->conn->exec(
        "SELECT a.pid, coalesce(host(a.client_addr), 'local'), a.backend_start::text "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = "
        "'advisory' AND l.granted AND l.classid = 7262613 AND l.objid = hashtext($1)::oid AND "
        "l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = "
        "current_database())",
        {impl->name});
    why = "the lease " + impl->name + " is held by another dispatcher";
    if (h.rows())
      why += " (database session " + h.text(0, 0) + " from " + h.text(0, 1) + " since " +
             h.text(0, 2) + ")";
    return nullptr;
  } catch (const std::exception& e) {
    why = e.what();
    return nullptr;
  }
}

std::unique_ptr<PgLease> wait_for_lease(const LeaseOptions& opts) {
  std::string last;
  for (;;) {
    if (opts.stop && opts.stop->load()) return nullptr;
    std::string why;
    if (auto lease = try_lease(opts, why)) return lease;
    if (why != last && opts.waiting) opts.waiting(why);
    last = why;
    // Sleep in small steps so a stop is seen at once.
    const auto until = std::chrono::steady_clock::now() + opts.poll;
    while (std::chrono::steady_clock::now() < until) {
      if (opts.stop && opts.stop->load()) return nullptr;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

namespace {

class PgStore final : public GroupCommitStore {
 public:
  explicit PgStore(const PgOptions& opts)
      : GroupCommitStore(writer_options(opts)), url_(opts.url), schema_(opts.schema) {
    check_schema_name(schema_);
    if (opts.read_only) {
      open_read_only();
      return;
    }
    if (opts.lease) {
      w_ = std::move(opts.lease->impl().conn);
      lease_ = opts.lease->name();
      if (!w_) throw std::runtime_error("the lease was already used by a store");
    } else {
      w_ = std::make_unique<Conn>(url_, schema_);
    }
    if (w_->value("SELECT pg_is_in_recovery()") == "t") throw std::runtime_error(kStandbyError);
    migrate();
    prepare();
    if (!lease_.empty()) {
      w_->prepare("fence", "SELECT huying_fence($1)");
      w_->run("fence", {lease_});
      settings_["lease"] = lease_;
    }
    settings_["synchronous_commit"] = w_->value("SHOW synchronous_commit");
    settings_["synchronous_standby_names"] = w_->value("SHOW synchronous_standby_names");
    settings_["server_version"] = w_->value("SHOW server_version");
    settings_["store"] = "postgresql";
    settings_["schema_version"] = std::to_string(kSchemaVersion);
    r_ = std::make_unique<Conn>(url_, schema_);
    start_writer();
  }
  ~PgStore() override { stop_writer(); }

  // Reads only, on a primary or a hot standby: no writer, no migration (a
  // store of an older version reads the same; a newer one is refused).
  void open_read_only() {
    r_ = std::make_unique<Conn>(url_, schema_, false);
    const std::string where = schema_.empty() ? r_->value("SELECT current_schema()") : schema_;
    if (r_->value("SELECT to_regclass('huying_schema')::text").empty())
      throw std::runtime_error("no store in schema " + where);
    const int have = std::stoi(r_->value("SELECT coalesce(max(version), 0) FROM huying_schema"));
    if (have > kSchemaVersion)
      throw std::runtime_error("schema version " + std::to_string(have) +
                               " is newer than this build understands (" +
                               std::to_string(kSchemaVersion) + ")");
    settings_["store"] = "postgresql";
    settings_["read_only"] = "true";
    settings_["standby"] = r_->value("SELECT pg_is_in_recovery()") == "t" ? "true" : "false";
    settings_["server_version"] = r_->value("SHOW server_version");
    settings_["schema_version"] = std::to_string(have);
    refuse_writes("the store is open for reads only");
  }

  std::optional<OrderHistory> get_order(const std::string& number) override {
    std::lock_guard lk(rmu_);
    Tx tx(*r_);
    Result o = r_->exec("SELECT id, doc FROM orders WHERE number = $1", {number});
    if (!o.rows()) return std::nullopt;
    OrderHistory h;
    h.order = core::order_from_json(json::parse(o.text(0, 1)));
    Result ev = r_->exec(
        "SELECT seq, at, actor, role, actor_dept, actor_area, type, data FROM events "
        "WHERE order_id = $1 ORDER BY seq",
        {o.text(0, 0)});
    for (int i = 0; i < ev.rows(); ++i) h.events.push_back(event_at(ev, i, 0, number));
    return h;
  }

  OrderPage list_orders(const OrderFilter& f) override {
    // $n placeholders; documents (JSON text) cast to jsonb.
    struct Dialect final : SqlDialect {
      Params params;
      std::string text(std::string v) override {
        params.push_back(std::move(v));
        return "$" + std::to_string(params.size());
      }
      std::string integer(std::int64_t v) override {
        params.push_back(std::to_string(v));
        return "$" + std::to_string(params.size()) + "::bigint";
      }
      std::string doc_text(const std::string& f) const override {
        return "(doc::jsonb ->> '" + f + "')";
      }
      std::string doc_int(const std::string& f) const override { return doc_text(f) + "::bigint"; }
      std::string doc_true(const std::string& f) const override {
        return "(doc::jsonb -> '" + f + "') = 'true'::jsonb";
      }
      std::string is_open() const override { return "open"; }
    } d;
    const OrderQuery oq = order_query(f, d);
    const int limit = std::clamp(f.limit, 1, 500);
    const int offset = std::max(0, f.offset);
    const Params count_params(d.params.begin(),
                              d.params.begin() + static_cast<std::ptrdiff_t>(oq.count_binds));

    std::lock_guard lk(rmu_);
    Tx tx(*r_);
    OrderPage page;
    page.total = r_->exec("SELECT count(*) FROM orders" + oq.count_where, count_params).num(0, 0);
    Result q = r_->exec("SELECT doc FROM orders" + oq.page_where + oq.order_by + " LIMIT " +
                            std::to_string(limit) + " OFFSET " + std::to_string(offset),
                        d.params);
    for (int i = 0; i < q.rows(); ++i)
      page.items.push_back(core::order_from_json(json::parse(q.text(i, 0))));
    return page;
  }

  void for_each_open_order_chunk(
      const std::function<void(std::vector<core::WorkOrder>&)>& chunk) override {
    // Its own connection and snapshot; keyset pages of a few thousand.
    Conn c(url_, schema_, false);
    Tx tx(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    std::int64_t after = 0;
    for (;;) {
      Result q =
          c.exec("SELECT id, doc FROM orders WHERE open AND id > $1::bigint ORDER BY id LIMIT 4096",
                 {str(after)});
      if (!q.rows()) break;
      std::vector<core::WorkOrder> orders;
      orders.reserve(static_cast<std::size_t>(q.rows()));
      for (int i = 0; i < q.rows(); ++i)
        orders.push_back(core::order_from_json(json::parse(q.text(i, 1))));
      after = q.num(q.rows() - 1, 0);
      chunk(orders);
    }
  }

  std::vector<OrderBrief> orders_created_since(Millis from) override {
    std::lock_guard lk(rmu_);
    Result q = r_->exec(
        "SELECT number, area, category, created_at FROM orders WHERE created_at >= $1::bigint "
        "ORDER BY created_at, id",
        {str(from)});
    std::vector<OrderBrief> out;
    for (int i = 0; i < q.rows(); ++i)
      out.push_back({q.text(i, 0), q.text(i, 1), q.text(i, 2), q.num(i, 3)});
    return out;
  }

  void for_each_history(Millis from, Millis to,
                        const std::function<void(std::vector<core::Event>&)>& fn,
                        bool open_too) override {
    std::lock_guard lk(rmu_);
    Tx tx(*r_);
    Result q = r_->exec(
        std::string("SELECT o.number, e.order_id, e.seq, e.at, e.actor, e.role, e.actor_dept, "
                    "e.actor_area, e.type, e.data FROM orders o JOIN events e ON e.order_id = "
                    "o.id WHERE o.created_at < $1::bigint AND ") +
            (open_too ? "(o.open OR o.updated_at >= $2::bigint)"
                      : "o.id IN (SELECT order_id FROM events WHERE at >= $2::bigint)") +
            " ORDER BY e.order_id, e.seq",
        {str(to), str(from)});
    std::vector<core::Event> history;
    std::int64_t current = -1;
    for (int i = 0; i < q.rows(); ++i) {
      std::int64_t id = q.num(i, 1);
      if (id != current && !history.empty()) {
        fn(history);
        history.clear();
      }
      current = id;
      history.push_back(event_at(q, i, 2, q.text(i, 0)));
    }
    if (!history.empty()) fn(history);
  }

  std::vector<CallerOrder> orders_by_phone(const std::string& phone, int limit) override {
    std::vector<CallerOrder> out;
    std::string p = core::normalize_phone(phone);
    if (p.empty()) return out;
    std::lock_guard lk(rmu_);
    Result q = r_->exec(
        "SELECT o.number, o.status, o.kind, o.category, o.area, o.created_at FROM callers c "
        "JOIN orders o ON o.id = c.order_id WHERE c.phone = $1 ORDER BY c.order_id DESC "
        "LIMIT " +
            std::to_string(std::clamp(limit, 1, 500)),
        {p});
    for (int i = 0; i < q.rows(); ++i)
      out.push_back(
          {q.text(i, 0), q.text(i, 1), q.text(i, 2), q.text(i, 3), q.text(i, 4), q.num(i, 5)});
    return out;
  }

  std::int64_t max_order_id() override {
    std::lock_guard lk(rmu_);
    return r_->exec("SELECT coalesce(max(id), 0) FROM orders").num(0, 0);
  }

  std::string max_order_number() override {
    std::lock_guard lk(rmu_);
    return r_->value("SELECT number FROM orders ORDER BY id DESC LIMIT 1");
  }

  std::optional<std::string> find_idempotency_key(const std::string& key) override {
    std::lock_guard lk(rmu_);
    Result q = r_->exec("SELECT order_number FROM idempotency WHERE key = $1", {key});
    if (!q.rows()) return std::nullopt;
    return q.text(0, 0);
  }

  void for_each_idempotency_key(const std::function<void(const std::string&)>& fn) override {
    Conn c(url_, schema_);
    Result q = c.exec("SELECT key FROM idempotency");
    for (int i = 0; i < q.rows(); ++i) fn(q.text(i, 0));
  }

  std::int64_t count_events() override {
    std::lock_guard lk(rmu_);
    return r_->exec("SELECT count(*) FROM events").num(0, 0);
  }

  std::optional<std::string> get_record(const std::string& kind, const std::string& key) override {
    std::lock_guard lk(rmu_);
    Result q = r_->exec("SELECT value FROM records WHERE kind = $1 AND key = $2", {kind, key});
    if (!q.rows()) return std::nullopt;
    return q.text(0, 0);
  }

  std::vector<std::pair<std::string, std::string>> list_records(const std::string& kind) override {
    std::lock_guard lk(rmu_);
    Result q = r_->exec("SELECT key, value FROM records WHERE kind = $1 ORDER BY key", {kind});
    std::vector<std::pair<std::string, std::string>> out;
    for (int i = 0; i < q.rows(); ++i) out.emplace_back(q.text(i, 0), q.text(i, 1));
    return out;
  }

  std::vector<AuditRow> list_audit(const AuditQuery& aq) override {
    const Millis to = aq.to ? aq.to : std::numeric_limits<Millis>::max();
    const std::string limit = std::to_string(std::clamp(aq.limit, 1, 1000));
    std::lock_guard lk(rmu_);
    Result q = r_->exec(
        "SELECT at, actor, role, actor_dept, action, target, detail FROM ("
        " (SELECT e.at AS at, e.actor AS actor, e.role AS role, e.actor_dept AS actor_dept,"
        "  e.type AS action, o.number AS target, '{}' AS detail FROM events e"
        "  JOIN orders o ON o.id = e.order_id WHERE e.at >= $1::bigint AND e.at < $2::bigint"
        "  AND ($3 = '' OR e.actor = $3) ORDER BY e.at DESC LIMIT " +
            limit +
            ") UNION ALL"
            " (SELECT at, actor, role, actor_dept, action, target, detail FROM audit"
            "  WHERE at >= $1::bigint AND at < $2::bigint AND ($3 = '' OR actor = $3)"
            "  ORDER BY at DESC LIMIT " +
            limit + ")) u ORDER BY at DESC LIMIT " + limit,
        {str(aq.from), str(to), aq.actor});
    std::vector<AuditRow> out;
    for (int i = 0; i < q.rows(); ++i) {
      AuditRow r;
      r.at = q.num(i, 0);
      r.actor.user = q.text(i, 1);
      r.actor.role = core::parse<core::Role>(q.text(i, 2)).value_or(core::Role::system);
      r.actor.dept = q.text(i, 3);
      r.action = q.text(i, 4);
      r.target = q.text(i, 5);
      r.detail = q.text(i, 6);
      out.push_back(std::move(r));
    }
    return out;
  }

  std::map<std::string, std::int64_t> event_counts() override {
    std::lock_guard lk(rmu_);
    Result q = r_->exec("SELECT type, count(*) FROM events GROUP BY type");
    std::map<std::string, std::int64_t> out;
    for (int i = 0; i < q.rows(); ++i) out[q.text(i, 0)] = q.num(i, 1);
    return out;
  }

  // PostgreSQL checks pages as it reads them (and checksums, when enabled);
  // here: the schema is ours and every event belongs to a stored order.
  std::string integrity_check() override {
    std::lock_guard lk(rmu_);
    if (r_->value("SELECT max(version) FROM huying_schema") != std::to_string(kSchemaVersion))
      return "schema version differs";
    auto orphans = r_->exec(
                         "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM orders "
                         "o WHERE o.id = e.order_id)")
                       .num(0, 0);
    return orphans ? std::to_string(orphans) + " events without an order" : "ok";
  }

  std::map<std::string, std::string> settings() const override { return settings_; }

 private:
  // A transaction on a read connection: one snapshot for related reads.
  struct Tx {
    Conn& c;
    explicit Tx(Conn& conn, const char* begin = "BEGIN ISOLATION LEVEL REPEATABLE READ") : c(conn) {
      c.exec(begin);
    }
    ~Tx() {
      try {
        c.exec("COMMIT");
      } catch (...) {
      }
    }
  };

  void migrate() {
    // One migrator at a time, even with two dispatchers starting together.
    w_->exec("BEGIN");
    w_->exec("SELECT pg_advisory_xact_lock(7262612)");
    w_->exec("CREATE TABLE IF NOT EXISTS huying_schema (version INTEGER NOT NULL)");
    std::string v = w_->value("SELECT coalesce(max(version), 0) FROM huying_schema");
    int have = std::stoi(v);
    if (have > kSchemaVersion) {
      w_->exec("ROLLBACK");
      throw std::runtime_error("schema version " + std::to_string(have) +
                               " is newer than this build understands (" +
                               std::to_string(kSchemaVersion) + ")");
    }
    for (int ver = have; ver < kSchemaVersion; ++ver) {
      w_->exec(kMigrations[ver]);
      w_->exec("INSERT INTO huying_schema (version) VALUES ($1::int)", {std::to_string(ver + 1)});
      spdlog::info("store: PostgreSQL migrated to schema version {}", ver + 1);
    }
    w_->exec("COMMIT");
  }

  void prepare() {
    w_->prepare("upsert_order", R"sql(
INSERT INTO orders (id, number, status, open, kind, urgency, channel, category, area,
                    lead_dept, created_at, updated_at, next_due, version, doc)
VALUES ($1::bigint, $2, $3, $4::boolean, $5, $6, $7, $8, $9, $10, $11::bigint, $12::bigint,
        $13::bigint, $14::bigint, $15)
ON CONFLICT (id) DO UPDATE SET
  status = excluded.status, open = excluded.open, kind = excluded.kind,
  urgency = excluded.urgency, channel = excluded.channel, category = excluded.category,
  area = excluded.area, lead_dept = excluded.lead_dept, updated_at = excluded.updated_at,
  next_due = excluded.next_due, version = excluded.version, doc = excluded.doc)sql");
    w_->prepare("del_depts", "DELETE FROM order_depts WHERE order_id = $1::bigint");
    w_->prepare("ins_dept",
                "INSERT INTO order_depts (dept, order_id, role, status) "
                "VALUES ($1, $2::bigint, $3, $4)");
    w_->prepare("ins_event", R"sql(
INSERT INTO events (order_id, seq, at, actor, role, actor_dept, actor_area, type, data)
VALUES ($1::bigint, $2::int, $3::bigint, $4, $5, $6, $7, $8, $9))sql");
    w_->prepare("ins_idem",
                "INSERT INTO idempotency (key, order_number, at) VALUES ($1, $2, $3::bigint)");
    w_->prepare("ins_caller",
                "INSERT INTO callers (phone, order_id) VALUES ($1, $2::bigint) "
                "ON CONFLICT DO NOTHING");
    w_->prepare("put_record",
                "INSERT INTO records (kind, key, value) VALUES ($1, $2, $3) "
                "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value");
    w_->prepare("del_record", "DELETE FROM records WHERE kind = $1 AND key = $2");
    w_->prepare("ins_audit",
                "INSERT INTO audit (at, actor, role, actor_dept, action, target, detail) "
                "VALUES ($1::bigint, $2, $3, $4, $5, $6, $7)");
  }

  // The whole group in one pipeline: BEGIN, every statement, COMMIT, one sync.
  void write_group(const std::vector<Job>& group) override {
    try {
      w_->pipeline_begin();
      w_->send_sql("BEGIN");
      // Fencing: nothing commits unless this session still holds the lease.
      if (!lease_.empty()) w_->send("fence", {lease_});
      for (const auto& j : group) write(j);
      w_->send_sql("COMMIT");
      w_->pipeline_end();
    } catch (...) {
      try {
        w_->exec("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
  }

  void write(const Job& j) {
    const Batch& b = j.batch;
    std::size_t ev_index = 0;
    for (std::size_t ci = 0; ci < b.changes.size(); ++ci) {
      const auto& c = b.changes[ci];
      const auto& o = c.order;
      const std::string id = str(o.id);
      Param lead;
      if (auto* l = o.lead_dept()) lead = *l;
      Param due;
      if (Millis d = core::current_due(o)) due = str(d);
      w_->send("upsert_order",
               {id, o.number, std::string(core::name(o.status)), o.open() ? "true" : "false",
                std::string(core::name(o.kind)), std::string(core::name(o.urgency)),
                std::string(core::name(o.channel)), o.category, o.area, lead, str(o.created_at),
                str(o.updated_at), due, str(static_cast<std::int64_t>(o.version)), j.docs[ci]});
      if (!starts_order(c)) w_->send("del_depts", {id});
      for (const auto& a : o.depts)
        w_->send("ins_dept",
                 {a.dept, id, std::string(core::name(a.role)), std::string(core::name(o.status))});
      if (callers_changed(c))
        for (const auto& phone : caller_phones(o)) w_->send("ins_caller", {phone, id});
      for (const auto& e : c.events)
        w_->send("ins_event", {id, str(e.seq), str(e.at), e.actor.user,
                               std::string(core::name(e.actor.role)), e.actor.dept, e.actor.area,
                               std::string(core::name(e.type)), j.event_data[ev_index++]});
    }
    if (!b.idempotency_key.empty() && !b.changes.empty()) {
      const auto& o = b.changes.front().order;
      w_->send("ins_idem", {b.idempotency_key, o.number, str(o.created_at)});
    }
    for (const auto& r : b.records) {
      if (r.value)
        w_->send("put_record", {r.kind, r.key, *r.value});
      else
        w_->send("del_record", {r.kind, r.key});
    }
    for (const auto& a : b.audit)
      w_->send("ins_audit", {str(a.at), a.actor.user, std::string(core::name(a.actor.role)),
                             a.actor.dept, a.action, a.target, a.detail.empty() ? "{}" : a.detail});
  }

  // The writer, idle: the link and the lease still there (throws if not).
  void idle_check() override {
    if (!lease_.empty()) w_->run("fence", {lease_});
  }

  std::string url_;
  std::string schema_;
  std::string lease_;  // empty: none (tools, tests)
  std::map<std::string, std::string> settings_;
  std::unique_ptr<Conn> w_;  // the writer thread's (after construction)
  std::unique_ptr<Conn> r_;
  std::mutex rmu_;  // guards r_
};

}  // namespace

namespace {

// The tables and their columns, in an order that satisfies the foreign keys;
// `key` orders the rows for the checksum.
struct TableSpec {
  const char* name;
  std::vector<const char*> cols;
  const char* key;     // ORDER BY in SQLite (binary collation)
  const char* pg_key;  // the same order in PostgreSQL, whatever its locale
};
const std::vector<TableSpec>& tables() {
  static const std::vector<TableSpec> t = {
      {"orders",
       {"id", "number", "status", "open", "kind", "urgency", "channel", "category", "area",
        "lead_dept", "created_at", "updated_at", "next_due", "version", "doc"},
       "id",
       "id"},
      {"order_depts",
       {"dept", "order_id", "role", "status"},
       "dept, order_id",
       "dept COLLATE \"C\", order_id"},
      {"events",
       {"id", "order_id", "seq", "at", "actor", "role", "actor_dept", "actor_area", "type", "data"},
       "id",
       "id"},
      {"idempotency", {"key", "order_number", "at"}, "key", "key COLLATE \"C\""},
      {"callers", {"phone", "order_id"}, "phone, order_id", "phone COLLATE \"C\", order_id"},
      {"records", {"kind", "key", "value"}, "kind, key", "kind COLLATE \"C\", key COLLATE \"C\""},
      {"audit",
       {"id", "at", "actor", "role", "actor_dept", "action", "target", "detail"},
       "id",
       "id"},
  };
  return t;
}

// FNV-1a over each row's columns as text (NULL distinct from ""), in key order.
struct Checksum {
  std::uint64_t h = 1469598103934665603ULL;
  void add(const char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      h ^= static_cast<unsigned char>(p[i]);
      h *= 1099511628211ULL;
    }
  }
  void field(const std::optional<std::string>& v) {
    if (v) add(v->data(), v->size());
    add(v ? "\x1f" : "\x1e", 1);
  }
};

// SQLite's 0/1 for `open` is PostgreSQL's false/true; everything else is the same text.
std::optional<std::string> pg_text(const TableSpec& t, std::size_t col,
                                   std::optional<std::string> v) {
  if (v && std::string(t.name) == "orders" && std::string(t.cols[col]) == "open")
    return *v == "1" ? "true" : "false";
  return v;
}

}  // namespace

MigrateReport migrate_sqlite_to_pg(const std::string& sqlite_path, const PgOptions& to) {
  {
    // A store at the current schema on both sides (the SQLite one migrated
    // forward if it is older), the PostgreSQL one created if missing.
    open_sqlite_store({.path = sqlite_path});
    open_pg_store(to);
  }
  Connection from(sqlite_path, Connection::Mode::read_only);
  Conn pg(to.url, to.schema);
  if (pg.exec("SELECT count(*) FROM orders").num(0, 0) > 0)
    throw std::runtime_error(
        "the PostgreSQL store already holds orders: migrate into an empty one");
  MigrateReport report;
  std::map<std::string, Checksum> sums;
  from.exec("BEGIN");
  pg.exec("BEGIN");
  try {
    for (const auto& t : tables()) {
      std::string cols, marks;
      for (std::size_t i = 0; i < t.cols.size(); ++i) {
        cols += std::string(i ? ", " : "") + t.cols[i];
        marks += std::string(i ? ", " : "") + "$" + std::to_string(i + 1);
      }
      const std::string ins =
          std::string("INSERT INTO ") + t.name + " (" + cols + ") VALUES (" + marks + ")";
      pg.prepare(std::string("mig_") + t.name, ins);
      Statement q(from, std::string("SELECT ") + cols + " FROM " + t.name + " ORDER BY " + t.key);
      std::int64_t n = 0;
      pg.pipeline_begin();
      while (q.step()) {
        Params row;
        for (std::size_t i = 0; i < t.cols.size(); ++i) {
          std::optional<std::string> v;
          if (!q.col_null(static_cast<int>(i))) v = q.col_text(static_cast<int>(i));
          sums[t.name].field(v);
          row.push_back(pg_text(t, i, std::move(v)));
        }
        pg.send(std::string("mig_") + t.name, row);
        if (++n % 2000 == 0) {  // bounded pipelines
          pg.pipeline_end();
          pg.pipeline_begin();
        }
      }
      pg.pipeline_end();
      report.rows[t.name] = n;
    }
    // Sequences past the copied ids.
    for (const char* t : {"events", "audit"})
      pg.exec(std::string("SELECT setval(pg_get_serial_sequence('") + t +
              "', 'id'), coalesce((SELECT max(id) FROM " + t + "), 0) + 1, false)");
    // Read back: the same rows, the same checksum.
    for (const auto& t : tables()) {
      std::string cols;
      for (std::size_t i = 0; i < t.cols.size(); ++i) {
        std::string c = t.cols[i];
        if (std::string(t.name) == "orders" && c == "open")
          c = "CASE WHEN open THEN '1' ELSE '0' END";
        cols += std::string(i ? ", " : "") + c;
      }
      Result r =
          pg.exec(std::string("SELECT ") + cols + " FROM " + t.name + " ORDER BY " + t.pg_key);
      Checksum back;
      for (int row = 0; row < r.rows(); ++row)
        for (std::size_t i = 0; i < t.cols.size(); ++i)
          back.field(r.null(row, static_cast<int>(i))
                         ? std::nullopt
                         : std::optional<std::string>(r.text(row, static_cast<int>(i))));
      if (r.rows() != report.rows[t.name] || back.h != sums[t.name].h)
        throw std::runtime_error(std::string("table ") + t.name + ": copied " +
                                 std::to_string(report.rows[t.name]) + " rows, read back " +
                                 std::to_string(r.rows()) + ", checksums " +
                                 (back.h == sums[t.name].h ? "agree" : "differ"));
    }
    pg.exec("COMMIT");
  } catch (...) {
    try {
      pg.exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
  Checksum all;
  for (const auto& [name, c] : sums) all.add(reinterpret_cast<const char*>(&c.h), sizeof c.h);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(all.h));
  report.checksum = buf;
  return report;
}

std::unique_ptr<Store> open_pg_store(const PgOptions& opts) {
  return std::make_unique<PgStore>(opts);
}

int pg_schema_version() { return kSchemaVersion; }

bool is_pg_url(const std::string& db) {
  return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0 ||
         db.find("host=") != std::string::npos || db.find("dbname=") != std::string::npos;
}

std::string db_label(const std::string& db) {
  if (!is_pg_url(db)) return db;
  std::string out = db;
  // postgresql://user:secret@host -> postgresql://user:***@host
  if (auto scheme = out.find("://"); scheme != std::string::npos) {
    auto at = out.find('@', scheme + 3);
    auto colon = out.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      out.replace(colon + 1, at - colon - 1, "***");
  }
  // password=secret (key/value form, or a URL parameter)
  for (std::size_t pos = 0; (pos = out.find("password=", pos)) != std::string::npos;) {
    pos += 9;
    auto end = out.find_first_of(" &", pos);
    out.replace(pos, (end == std::string::npos ? out.size() : end) - pos, "***");
  }
  return out;
}

}  // namespace huying::db
