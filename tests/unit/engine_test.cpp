// engine/: decide on the strand, answer after the durable commit, recover at start.
#include <catch2/catch.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "db/store.hpp"
#include "dispatcher/engine/engine.hpp"
#include "unit/temp_dir.hpp"
#include "unit/test_support.hpp"

using namespace huying;
using namespace huying::test;

namespace {

// An engine on its own io_context thread, over a store file.
struct Harness {
  explicit Harness(const std::string& path, Millis start = kT0)
      : clock(start), store(db::open_sqlite_store({.path = path})),
        engine(ioc, *store, {.clock = &clock, .sla = &sla}) {
    engine.start();
    thread = std::thread([this] { ioc.run(); });
  }
  ~Harness() {
    work.reset();
    thread.join();
  }
  engine::Reply exec(CommandType t, const Actor& a, std::string number = {}, json::object args = {},
                     std::string key = {}) {
    std::promise<engine::Reply> p;
    auto f = p.get_future();
    engine.execute({cmd(t, std::move(args)), a, std::move(number), std::move(key)},
                   [&](engine::Reply r) { p.set_value(std::move(r)); });
    return f.get();
  }

  NaturalSlaPolicy sla;
  FakeClock clock;
  std::unique_ptr<db::Store> store;
  boost::asio::io_context ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{ioc.get_executor()};
  engine::Engine engine;
  std::thread thread;
};

}  // namespace

TEST_CASE("engine: a reply comes only after its events are in the store") {
  TempDir dir;
  Harness h(dir.file("e.db"));
  auto r = h.exec(CommandType::create, op, {}, create_args());
  REQUIRE(r.ok());
  CHECK(r.order.number == "HY20251201000001");
  // Read through the store's own read connection: the commit is visible.
  auto stored = h.store->get_order(r.order.number);
  REQUIRE(stored.has_value());
  CHECK(stored->events.size() == 1);

  h.clock.advance(kMinute);
  auto d = h.exec(CommandType::dispatch, disp, r.order.number, {{"lead", "cg"}});
  REQUIRE(d.ok());
  CHECK(d.order.status == Status::dispatched);
  CHECK(d.events.size() == 1);
  CHECK(h.store->get_order(r.order.number)->order.status == Status::dispatched);
  CHECK(h.engine.open_orders() == 1);
}

TEST_CASE("engine: rejections change nothing and say why") {
  TempDir dir;
  Harness h(dir.file("e.db"));
  auto r = h.exec(CommandType::create, op, {}, create_args());
  auto bad = h.exec(CommandType::claim, clerk_cg, r.order.number);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.rejection->code == RejectCode::invalid_state);
  auto missing = h.exec(CommandType::claim, clerk_cg, "HY20990101000001");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.rejection->code == RejectCode::not_found);
  auto merge = h.exec(CommandType::merge, op, r.order.number, {{"into", "HY20990101000001"}});
  REQUIRE_FALSE(merge.ok());
  CHECK(merge.rejection->field == "into");
  CHECK(h.store->count_events() == 1);
}

TEST_CASE("engine: a retried create with the same Idempotency-Key returns the first order") {
  TempDir dir;
  auto path = dir.file("e.db");
  std::string number;
  {
    Harness h(path);
    auto a = h.exec(CommandType::create, op, {}, create_args(), "call-77");
    auto b = h.exec(CommandType::create, op, {}, create_args(), "call-77");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(b.replayed);
    CHECK(a.order.number == b.order.number);
    number = a.order.number;
  }
  // Across a restart too.
  Harness h(path);
  auto c = h.exec(CommandType::create, op, {}, create_args(), "call-77");
  CHECK(c.replayed);
  CHECK(c.order.number == number);
  CHECK(h.store->list_orders({}).total == 1);
}

TEST_CASE("engine: restart loads open orders and continues numbering, closed ones stay answerable") {
  TempDir dir;
  auto path = dir.file("e.db");
  std::string open_no, closed_no;
  {
    Harness h(path);
    open_no = h.exec(CommandType::create, op, {}, create_args()).order.number;
    closed_no = h.exec(CommandType::create, op, {}, create_args()).order.number;
    REQUIRE(h.exec(CommandType::cancel, op, closed_no, {{"reason", "误拨"}}).ok());
    CHECK(h.engine.open_orders() == 1);
  }
  Harness h(path, kT0 + kHour);
  CHECK(h.engine.open_orders() == 1);
  auto next = h.exec(CommandType::create, op, {}, create_args());
  CHECK(next.order.number == "HY20251201000003");
  CHECK(next.order.id == 3);
  REQUIRE(h.exec(CommandType::dispatch, disp, open_no, {{"lead", "cg"}}).ok());
  auto late = h.exec(CommandType::dispatch, disp, closed_no, {{"lead", "cg"}});
  REQUIRE_FALSE(late.ok());
  CHECK(late.rejection->code == RejectCode::invalid_state);
}

TEST_CASE("engine: concurrent creates from many threads get distinct numbers, all stored") {
  TempDir dir;
  Harness h(dir.file("e.db"));
  constexpr int kThreads = 8, kEach = 50;
  std::vector<std::thread> ts;
  std::mutex mu;
  std::set<std::string> numbers;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = h.exec(CommandType::create, op, {}, create_args());
        std::lock_guard lk(mu);
        numbers.insert(r.order.number);
      }
    });
  for (auto& t : ts) t.join();
  CHECK(numbers.size() == kThreads * kEach);
  CHECK(h.store->list_orders({}).total == kThreads * kEach);
}
