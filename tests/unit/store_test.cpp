// db/: round trip, migrations, group commit, queries, fail-stop.
#include "db/store.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include "db/backup.hpp"
#include "db/pg_store.hpp"
#include "db/sqlite.hpp"
#include "dispatcher/core/command_args.hpp"
#include "unit/order_diff.hpp"
#include "unit/temp_dir.hpp"
#include "unit/test_store.hpp"
#include "unit/test_support.hpp"

using namespace huying;
using namespace huying::test;

namespace {

NaturalSlaPolicy sla;

// Builds orders through the real lifecycle and records their events.
struct Builder {
  std::int64_t next_id = 0;
  std::vector<Event> pending;

  WorkOrder create(json::object args = create_args(), Millis t = kT0) {
    WorkOrder o;
    do_step(o, cmd(CommandType::create, std::move(args)), op, t);
    return o;
  }
  void do_step(WorkOrder& o, const Command& c, const Actor& a, Millis t) {
    DecideContext ctx;
    ctx.now = t;
    ctx.sla = &sla;
    ctx.allocate = [this] {
      ++next_id;
      char buf[32];
      std::snprintf(buf, sizeof buf, "HY20251201%06lld", static_cast<long long>(next_id));
      return std::pair<std::int64_t, std::string>{next_id, buf};
    };
    auto d = decide(c.type == CommandType::create ? nullptr : &o, c, a, ctx);
    if (!d.ok()) throw std::runtime_error(d.rejection->reason);
    for (auto& e : d.events) {
      apply(o, e);
      pending.push_back(e);
    }
  }
  // The change for everything recorded since the last take().
  db::Change take(const WorkOrder& o) {
    db::Change c{o, std::move(pending)};
    pending.clear();
    return c;
  }
};

db::CommitStatus commit(db::Store& s, db::Batch b) {
  std::promise<db::CommitStatus> p;
  auto f = p.get_future();
  s.submit(std::move(b), [&](const db::CommitStatus& st) { p.set_value(st); });
  return f.get();
}

db::Batch batch_of(db::Change c, std::string key = {}) {
  db::Batch b;
  b.changes.push_back(std::move(c));
  b.idempotency_key = std::move(key);
  return b;
}

}  // namespace

TEST_CASE("store: WAL, synchronous=FULL and the schema version on a new file", "[store][sqlite]") {
  TempDir dir;
  auto path = dir.file("h.db");
  {
    auto s = db::open_sqlite_store({.path = path});
    // synchronous is per connection: ask the writer's own, not a new one
    // (whose default would prove nothing).
    auto set = s->settings();
    CHECK(set["journal_mode"] == "wal");
    CHECK(set["synchronous"] == "2");  // FULL
    CHECK(set["foreign_keys"] == "1");
  }
  db::Connection c(path, db::Connection::Mode::read_write);
  CHECK(c.query_text("PRAGMA journal_mode") == "wal");
  CHECK(c.query_int("PRAGMA user_version") == db::sqlite_schema_version());
}

TEST_CASE("store: a file from a newer build is refused with its path and versions",
          "[store][sqlite]") {
  TempDir dir;
  auto path = dir.file("new.db");
  {
    db::Connection c(path, db::Connection::Mode::read_write);
    c.exec("PRAGMA user_version=99");
  }
  try {
    db::open_sqlite_store({.path = path});
    FAIL("opened a newer schema");
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    CHECK(what.find(path) != std::string::npos);
    CHECK(what.find("99") != std::string::npos);
  }
}

TEST_CASE("store: round trip — write, close, reopen, read back the identical history", "[store]") {
  TempDir dir;
  auto path = dir.file("h.db");
  Builder b;
  WorkOrder o = b.create();
  std::string expected_order, expected_events;
  {
    auto s = open_store(path);
    REQUIRE(commit(*s, batch_of(b.take(o), "key-1")).ok);
    b.do_step(o, cmd(CommandType::dispatch, {{"lead", "cg"}, {"assist", json::array{"sw"}}}), disp,
              kT0 + kMinute);
    b.do_step(o, cmd(CommandType::claim), clerk_cg, kT0 + 2 * kMinute);
    REQUIRE(commit(*s, batch_of(b.take(o))).ok);
    b.do_step(o, cmd(CommandType::note, {{"text", "现场核查中"}}), clerk_cg, kT0 + kHour);
    REQUIRE(commit(*s, batch_of(b.take(o))).ok);
    expected_order = json::serialize(to_json(o));
  }
  auto s = open_store(path);
  auto h = s->get_order(o.number);
  REQUIRE(h.has_value());
  CHECK(json::serialize(to_json(h->order)) == expected_order);
  REQUIRE(h->events.size() == 4);
  for (std::size_t i = 0; i < h->events.size(); ++i) CHECK(h->events[i].seq == i + 1);
  CHECK(h->events[0].type == EventType::created);
  CHECK(h->events[0].actor.user == "op1");
  CHECK(h->events[3].type == EventType::noted);
  CHECK(h->events[3].data.at("text").as_string() == "现场核查中");
  // Replaying the stored log gives the stored projection.
  CHECK(json::serialize(to_json(replay(h->events))) == expected_order);
  CHECK(s->find_idempotency_key("key-1") == o.number);
  CHECK_FALSE(s->find_idempotency_key("key-2").has_value());
  CHECK(s->max_order_id() == o.id);
  CHECK(s->max_order_number() == o.number);
  CHECK(s->integrity_check() == "ok");
  CHECK_FALSE(s->get_order("HY20990101000001").has_value());
}

TEST_CASE("store: round trip of an order with every kind of history, compared field by field",
          "[store]") {
  TempDir dir;
  auto path = dir.file("rich.db");
  Builder b;
  json::object args = create_args();
  args["lat"] = 23.03;
  args["lng"] = 113.15;
  args["citizen"] = {
      {"name", "王五"}, {"phone", "+86 138-1234-5678"}, {"id_number", "44060519800101123X"}};
  WorkOrder o = b.create(args);
  Millis t = kT0;
  auto at = [&](Millis dt) { return t += dt; };
  b.do_step(o, cmd(CommandType::dispatch, {{"lead", "cg"}, {"assist", json::array{"sw"}}}), disp,
            at(kMinute));
  b.do_step(o, cmd(CommandType::return_order, {{"reason", "wrong_area"}, {"comment", "不在辖区"}}),
            clerk_cg, at(kMinute));
  b.do_step(o, cmd(CommandType::arbitrate, {{"lead", "cg"}, {"ruling", "仍属城管"}}), disp,
            at(kMinute));
  b.do_step(o, cmd(CommandType::claim), clerk_cg, at(kMinute));
  b.do_step(
      o,
      cmd(CommandType::request_extension, {{"reason", "需协调"}, {"new_due", o.reply_due + kDay}}),
      clerk_cg, at(kHour));
  b.do_step(o, cmd(CommandType::decide_extension, {{"approve", true}}), disp, at(kHour));
  b.do_step(o, cmd(CommandType::supervise, {{"comment", "抓紧办理"}}), leader, at(kHour));
  b.do_step(o, cmd(CommandType::whistle, {{"depts", json::array{"zj"}}}), coord, at(kHour));
  b.do_step(o, cmd(CommandType::reply, reply_args()), clerk_cg, at(kHour));
  b.do_step(o,
            cmd(CommandType::visit,
                {{"solved", false}, {"satisfaction", "unsatisfied"}, {"comment", "没解决"}}),
            op, at(kHour));
  b.do_step(o, cmd(CommandType::reopen, {{"reason", "未解决"}}), op, at(kHour));
  b.do_step(
      o,
      cmd(CommandType::request_extension, {{"reason", "再延"}, {"new_due", o.reply_due + kHour}}),
      clerk_cg, at(kHour));
  // Every counter and optional is away from its default: a field the store
  // drops cannot hide behind a default on both sides.
  REQUIRE(o.return_count == 1);
  REQUIRE(o.reopen_count == 1);
  REQUIRE(o.extension_count == 1);
  REQUIRE(o.supervise_count == 1);
  REQUIRE(o.supervised);
  REQUIRE(o.extension.has_value());
  REQUIRE(o.whistles.size() == 1);
  {
    auto s = open_store(path);
    REQUIRE(commit(*s, batch_of(b.take(o))).ok);
  }
  auto s = open_store(path);
  auto h = s->get_order(o.number);
  REQUIRE(h.has_value());
  CHECK(order_diff(h->order, o) == "");
  CHECK(order_diff(replay(h->events), o) == "");
  CHECK(order_diff(order_from_json(json::parse(json::serialize(to_json(o)))), o) == "");
  auto open = s->load_open_orders();
  REQUIRE(open.size() == 1);
  CHECK(order_diff(open[0], o) == "");
}

TEST_CASE("store: the highest number past a 6-digit daily sequence, and the orders of a window",
          "[store]") {
  TempDir dir;
  auto s = open_store(dir.file("n.db"));
  // Numbers as the allocator issues them around the boundary: ids rise with them.
  const char* numbers[] = {"HY20251201999998", "HY20251201999999", "HY202512011000000",
                           "HY202512011000001"};
  std::int64_t id = 0;
  for (const char* n : numbers) {
    DecideContext ctx;
    ctx.now = kT0 + id * kHour;
    ctx.sla = &sla;
    ctx.allocate = [&] { return std::pair<std::int64_t, std::string>{++id, n}; };
    auto d = decide(nullptr, cmd(CommandType::create, create_args()), op, ctx);
    REQUIRE(d.ok());
    db::Change c;
    for (auto& e : d.events) {
      apply(c.order, e);
      c.events.push_back(e);
    }
    REQUIRE(commit(*s, batch_of(c)).ok);
  }
  // As text "HY20251201999999" > "HY202512011000001": the highest is found by id.
  CHECK(s->max_order_number() == "HY202512011000001");
  auto recent = s->orders_created_since(kT0 + 2 * kHour);
  REQUIRE(recent.size() == 2);
  CHECK(recent[0].number == "HY202512011000000");
  CHECK(recent[1].number == "HY202512011000001");
  CHECK(recent[0].area == "440605001003");
  CHECK(recent[0].category == "城市管理/市容环境/占道经营");
  CHECK(recent[0].created_at == kT0 + 2 * kHour);
}

TEST_CASE("store: group commit — concurrent submitters all get acks and every row is there",
          "[store]") {
  TempDir dir;
  auto s = open_store(dir.file("g.db"));
  constexpr int kThreads = 8, kEach = 150;
  std::atomic<std::int64_t> next_id{0};
  std::atomic<int> acked{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<std::future<void>> waits;
      for (int i = 0; i < kEach; ++i) {
        Builder b;
        b.next_id = next_id.fetch_add(1);
        WorkOrder o = b.create();
        auto p = std::make_shared<std::promise<void>>();
        waits.push_back(p->get_future());
        s->submit(batch_of(b.take(o)), [&, p](const db::CommitStatus& st) {
          (st.ok ? acked : failed).fetch_add(1);
          p->set_value();
        });
      }
      for (auto& w : waits) w.get();
    });
  }
  for (auto& t : threads) t.join();
  CHECK(acked == kThreads * kEach);
  CHECK(failed == 0);
  CHECK(s->count_events() == kThreads * kEach);
  CHECK(s->list_orders({}).total == kThreads * kEach);
  auto st = s->stats();
  CHECK(st.batches >= kThreads * kEach);
  // Batching happened: fewer transactions than batches.
  CHECK(st.transactions < kThreads * kEach);
}

TEST_CASE(
    "store: queue queries by department (lead or assisting), status, area, kind, date, paging",
    "[store]") {
  TempDir dir;
  auto s = open_store(dir.file("q.db"));
  Builder b;
  std::vector<WorkOrder> made;
  for (int i = 0; i < 30; ++i) {
    auto args = create_args(i % 3 == 0 ? "consult" : "complaint");
    args["area"] = i < 20 ? "440605001003" : "440605002001";
    WorkOrder o = b.create(args, kT0 + i * kMinute);
    if (i % 2 == 0) {
      auto lead = i % 4 == 0 ? "cg" : "zj";
      b.do_step(o, cmd(CommandType::dispatch, {{"lead", lead}, {"assist", json::array{"sw"}}}),
                disp, kT0 + kHour);
    }
    REQUIRE(commit(*s, batch_of(b.take(o))).ok);
    made.push_back(o);
  }
  db::OrderFilter f;
  f.dept = "cg";
  CHECK(s->list_orders(f).total == 8);  // i = 0,4,...,28
  f.dept = "sw";                        // assisting on every dispatched one
  CHECK(s->list_orders(f).total == 15);
  f = {};
  f.statuses = {Status::received};
  CHECK(s->list_orders(f).total == 15);
  f = {};
  f.area_prefix = "440605002";
  CHECK(s->list_orders(f).total == 10);
  f.area_prefix = "440605";
  CHECK(s->list_orders(f).total == 30);
  f = {};
  f.kind = Kind::consult;
  CHECK(s->list_orders(f).total == 10);
  f = {};
  f.created_from = kT0 + 10 * kMinute;
  f.created_to = kT0 + 15 * kMinute;
  CHECK(s->list_orders(f).total == 5);
  f = {};
  f.limit = 7;
  f.offset = 0;
  auto p1 = s->list_orders(f);
  CHECK(p1.total == 30);
  REQUIRE(p1.items.size() == 7);
  CHECK(p1.items[0].number == made.back().number);  // newest first
  f.offset = 28;
  CHECK(s->list_orders(f).items.size() == 2);
}

TEST_CASE("store: load_open_orders returns open orders only", "[store]") {
  TempDir dir;
  auto s = open_store(dir.file("o.db"));
  Builder b;
  WorkOrder keep = b.create();
  REQUIRE(commit(*s, batch_of(b.take(keep))).ok);
  WorkOrder gone = b.create();
  b.do_step(gone, cmd(CommandType::cancel, {{"reason", "重复来电"}}), op, kT0 + kMinute);
  REQUIRE(commit(*s, batch_of(b.take(gone))).ok);
  auto open = s->load_open_orders();
  REQUIRE(open.size() == 1);
  CHECK(open[0].number == keep.number);
  CHECK(open[0].citizen.phone == "13812345678");
}

TEST_CASE("store: a failed commit is fail-stop — no ack, nothing half-written, no further work",
          "[store]") {
  TempDir dir;
  std::atomic<int> fatal{0};
  std::string fatal_what;
  auto s = open_store(dir.file("f.db"), [&](const std::string& w) {
    fatal_what = w;
    fatal.fetch_add(1);
  });
  Builder b;
  WorkOrder o = b.create();
  db::Change first = b.take(o);
  REQUIRE(commit(*s, batch_of(first)).ok);
  // The same event again violates UNIQUE(order_id, seq): the commit must fail.
  WorkOrder other = b.create();
  db::Batch bad;
  bad.changes.push_back(b.take(other));
  bad.changes.push_back(first);
  auto st = commit(*s, std::move(bad));
  CHECK_FALSE(st.ok);
  CHECK(fatal == 1);
  // SQLite says UNIQUE, PostgreSQL "unique constraint".
  CHECK((fatal_what.find("UNIQUE") != std::string::npos ||
         fatal_what.find("unique") != std::string::npos));
  // The other order in the failed batch was rolled back with it.
  CHECK_FALSE(s->get_order(other.number).has_value());
  // The store refuses further work rather than acknowledging it.
  WorkOrder later = b.create();
  CHECK_FALSE(commit(*s, batch_of(b.take(later))).ok);
  CHECK(s->count_events() == 1);
}

TEST_CASE(
    "store: a caller's history by phone in any usual form, merged callers too, and after a "
    "migration",
    "[store]") {
  TempDir dir;
  auto path = dir.file("p.db");
  Builder b;
  std::vector<std::string> numbers;
  {
    auto s = open_store(path);
    for (const char* phone : {"+86 138-1234-5678", "13812345678", "0757-8888 1234"}) {
      json::object args = create_args();
      args["citizen"] = {{"name", "王五"}, {"phone", phone}};
      WorkOrder o = b.create(args);
      numbers.push_back(o.number);
      REQUIRE(commit(*s, batch_of(b.take(o))).ok);
    }
    // A merged duplicate's caller is found on the surviving order too.
    json::object other = create_args();
    other["citizen"] = {{"name", "钱七"}, {"phone", "13500000000"}};
    WorkOrder keep = b.create(other);
    keep.callers.push_back(
        Caller{"HY20251201000900", {"赵六", "139 0000 1111", ""}, kT0, false, {}, false, 0, 0});
    db::Change c = b.take(keep);
    c.events.push_back(Event{keep.number, 2, kT0, op, EventType::caller_added, {}});
    keep.version = 2;
    c.order = keep;
    REQUIRE(commit(*s, batch_of(c)).ok);
    numbers.push_back(keep.number);

    auto hits = s->orders_by_phone("138 1234 5678", 10);
    REQUIRE(hits.size() == 2);
    CHECK(hits[0].number == numbers[1]);  // newest first
    CHECK(hits[1].number == numbers[0]);
    CHECK(hits[0].status == "received");
    CHECK(s->orders_by_phone("+8613812345678", 10).size() == 2);
    CHECK(s->orders_by_phone("075788881234", 10).size() == 1);
    REQUIRE(s->orders_by_phone("13900001111", 10).size() == 1);
    CHECK(s->orders_by_phone("13900001111", 10)[0].number == keep.number);
    CHECK(s->orders_by_phone("13800000000", 10).empty());
    CHECK(s->orders_by_phone("", 10).empty());
    CHECK(s->orders_by_phone("138 1234 5678", 1).size() == 1);
  }
  // A store written before the index existed: the migration fills it
  // (SQLite's schema v1 to v2; PostgreSQL's schema started with it).
  if (on_pg()) return;
  {
    db::Connection c(path, db::Connection::Mode::read_write);
    c.exec(
        "DROP TABLE callers; DROP TABLE records; DROP TABLE audit; DROP INDEX events_at; "
        "PRAGMA user_version=1;");
  }
  auto s = open_store(path);
  CHECK(s->orders_by_phone("13812345678", 10).size() == 2);
  CHECK(s->orders_by_phone("13900001111", 10).size() == 1);
}

TEST_CASE("phone numbers are normalised for the history: +86, 0086, spaces, dashes") {
  CHECK(normalize_phone("+86 138-1234-5678") == "13812345678");
  CHECK(normalize_phone("008613812345678") == "13812345678");
  CHECK(normalize_phone("138 1234 5678") == "13812345678");
  CHECK(normalize_phone("0757-8888 1234") == "075788881234");
  CHECK(normalize_phone("+1 415 555 0100") == "14155550100");  // not ours: kept whole
  CHECK(normalize_phone("") == "");
}

TEST_CASE("store: a backup taken while the store is open is one instant's copy, restored intact",
          "[store][sqlite]") {
  TempDir dir;
  auto path = dir.file("live.db");
  Builder b;
  auto s = db::open_sqlite_store({.path = path});
  WorkOrder first = b.create();
  REQUIRE(commit(*s, batch_of(b.take(first), "key-1")).ok);
  WorkOrder second = b.create();
  REQUIRE(commit(*s, batch_of(b.take(second), "key-2")).ok);

  // Taken with the store open (the writer thread running, as under a server).
  auto backup = dir.file("b.db");
  auto r = db::backup_sqlite(path, backup);
  CHECK(r.orders == 2);
  CHECK(r.events == 2);
  CHECK(r.integrity == "ok");
  CHECK(r.schema_version == db::sqlite_schema_version());
  CHECK_FALSE(std::filesystem::exists(backup + "-wal"));  // one self-contained file
  // Later commits are not in it.
  WorkOrder third = b.create();
  REQUIRE(commit(*s, batch_of(b.take(third), "key-3")).ok);
  // Never over an existing file.
  CHECK_THROWS_WITH(db::backup_sqlite(path, backup), Catch::Contains("exists"));
  CHECK_THROWS_WITH(db::backup_sqlite(dir.file("none.db"), dir.file("x.db")),
                    Catch::Contains("no store"));

  auto restored = dir.file("restored.db");
  auto rr = db::restore_sqlite(backup, restored, false);
  CHECK(rr.orders == 2);
  CHECK_THROWS_WITH(db::restore_sqlite(backup, restored, false), Catch::Contains("--force"));
  {
    auto back = db::open_sqlite_store({.path = restored});
    CHECK(back->settings().at("journal_mode") == "wal");
    CHECK(back->get_order(first.number).has_value());
    CHECK(back->get_order(second.number).has_value());
    CHECK_FALSE(back->get_order(third.number).has_value());
    CHECK(back->find_idempotency_key("key-2") == second.number);
  }
  // --force replaces a stopped store; a damaged backup is refused, nothing replaced.
  CHECK(db::restore_sqlite(backup, restored, true).orders == 2);
  auto damaged = dir.file("damaged.db");
  {
    std::ofstream out(damaged, std::ios::binary);
    out << "not a database at all";
  }
  CHECK_THROWS(db::restore_sqlite(damaged, restored, true));
  CHECK(db::open_sqlite_store({.path = restored})->get_order(first.number).has_value());
}

TEST_CASE("store: it reports its kind, schema version and durability settings", "[store]") {
  TempDir dir;
  auto s = open_store(dir.file("k.db"));
  auto set = s->settings();
  if (on_pg()) {
    CHECK(set["store"] == "postgresql");
    CHECK(set["schema_version"] == std::to_string(db::pg_schema_version()));
    CHECK(set["synchronous_commit"] == "on");
    // tests/pg/store_suite.sh's cluster has a synchronous standby.
    CHECK(set["synchronous_standby_names"].find("standby1") != std::string::npos);
  } else {
    CHECK(set["store"] == "sqlite");
    CHECK(set["schema_version"] == std::to_string(db::sqlite_schema_version()));
    CHECK(set["synchronous"] == "2");
  }
}

// PostgreSQL only (tests/pg/suite.sh runs "[pg]"; hidden otherwise).
TEST_CASE("store: the district lease — one holder, fenced writes, a lost session is fail-stop",
          "[.][pg]") {
  REQUIRE(on_pg());
  const std::string url = std::getenv("HUYING_TEST_PG");
  const std::string schema = "lease_" + std::to_string(::getpid());
  db::LeaseOptions lo;
  lo.url = url;
  lo.schema = schema;
  std::string why;
  std::shared_ptr<db::PgLease> lease = db::try_lease(lo, why);
  REQUIRE(lease);
  CHECK(lease->name() == "huying:" + schema);
  // A second dispatcher does not get it, and is told who has it.
  CHECK_FALSE(db::try_lease(lo, why));
  CHECK_THAT(why, Catch::Contains("held by another dispatcher"));
  // Another district (schema) on the same database has a lease of its own.
  db::LeaseOptions other = lo;
  other.schema = schema + "_b";
  auto other_lease = db::try_lease(other, why);
  CHECK(other_lease);
  other_lease.reset();
  // wait_for_lease waits (and stops when told).
  std::atomic<bool> stop{false};
  lo.poll = std::chrono::milliseconds(50);
  lo.stop = &stop;
  auto waiter = std::async(std::launch::async, [&] { return db::wait_for_lease(lo) != nullptr; });
  CHECK(waiter.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
  stop = true;
  CHECK_FALSE(waiter.get());

  std::mutex mu;
  std::string fatal;
  db::PgOptions o;
  o.url = url;
  o.schema = schema;
  o.lease = lease;
  o.writer.on_fatal = [&](const std::string& what) {
    std::lock_guard lk(mu);
    fatal = what;
  };
  auto s = db::open_pg_store(o);
  CHECK(s->settings().at("lease") == lease->name());
  Builder b;
  auto first = b.create();
  CHECK(commit(*s, batch_of(b.take(first))).ok);

  PGconn* admin = PQconnectdb(url.c_str());
  REQUIRE(PQstatus(admin) == CONNECTION_OK);
  PQclear(PQexec(admin, "SET client_min_messages = warning"));
  auto exec = [&](const std::string& sql) {
    PGresult* r = PQexec(admin, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string err = PQresultErrorMessage(r);
    PQclear(r);
    return std::pair{ok, err};
  };
  // Fencing: a session without the lease cannot pass the check every write
  // transaction makes.
  auto [fenced_ok, fenced_err] =
      exec("SELECT " + schema + ".huying_fence('" + lease->name() + "')");
  CHECK_FALSE(fenced_ok);
  CHECK_THAT(fenced_err, Catch::Contains("does not hold the lease"));
  // The writer's session ends (a lost link, a DBA): the idle writer notices
  // within its second and stops (fail-stop), and the lease is free.
  CHECK(exec("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND "
             "classid = 7262613 AND objid = hashtext('" +
             lease->name() + "')::oid AND objsubid = 2")
            .first);
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard lk(mu);
      if (!fatal.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  {
    std::lock_guard lk(mu);
    CHECK_FALSE(fatal.empty());
  }
  auto second = b.create();
  CHECK_FALSE(commit(*s, batch_of(b.take(second))).ok);
  CHECK(db::try_lease(lo, why));
  s.reset();
  exec("DROP SCHEMA " + schema + " CASCADE");
  exec("DROP SCHEMA " + schema + "_b CASCADE");
  PQfinish(admin);
}
