// engine/: decide on the strand, answer after the durable commit, recover at start.
#include "dispatcher/engine/engine.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "db/sqlite.hpp"
#include "db/store.hpp"
#include "dispatcher/config/config_load.hpp"
#include "dispatcher/core/order_number.hpp"
#include "unit/temp_dir.hpp"
#include "unit/test_store.hpp"
#include "unit/test_support.hpp"

using namespace huying;
using namespace huying::test;

namespace {

// An engine on its own io_context thread, over a store file.
struct Harness {
  // background: the open orders load as `huying serve` loads them
  // (start_async); `loaded` is ready when all are in.
  explicit Harness(const std::string& path, Millis start = kT0,
                   std::shared_ptr<const RuleSet> rules = nullptr, bool background = false)
      : clock(start),
        store(open_store(path)),
        engine(ioc, *store, {.clock = &clock, .sla = &sla, .rules = std::move(rules)}) {
    if (background) {
      auto p = std::make_shared<std::promise<void>>();
      loaded = p->get_future();
      engine.start_async([p](std::exception_ptr e) {
        if (e)
          p->set_exception(e);
        else
          p->set_value();
      });
    } else {
      engine.start();
    }
    thread = std::thread([this] { ioc.run(); });
  }
  ~Harness() {
    engine.stop();  // the SLA timer would keep the io_context busy
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
  std::future<void> loaded;
};

// Writes n open orders straight to the store (created and dispatched to 城管),
// as a district's backlog before a restart; returns their numbers in order.
std::vector<std::string> write_backlog(const std::string& path, int n) {
  auto store = open_store(path);
  NaturalSlaPolicy sla;
  OrderNumbering numbering;
  std::int64_t id = 0;
  DecideContext ctx;
  ctx.now = kT0;
  ctx.sla = &sla;
  ctx.allocate = [&] { return std::pair{++id, numbering.next(kT0)}; };
  std::vector<std::string> numbers;
  db::Batch b;
  for (int i = 0; i < n; ++i) {
    db::Change c;
    for (auto type : {CommandType::create, CommandType::dispatch}) {
      json::object args =
          type == CommandType::create ? create_args() : json::object{{"lead", "cg"}};
      auto d = decide(c.events.empty() ? nullptr : &c.order, cmd(type, std::move(args)),
                      type == CommandType::create ? op : disp, ctx);
      REQUIRE(d.ok());
      for (auto& e : d.events) {
        apply(c.order, e);
        c.events.push_back(std::move(e));
      }
    }
    numbers.push_back(c.order.number);
    b.changes.push_back(std::move(c));
    if (b.changes.size() == 1000) store->submit(std::exchange(b, {}), nullptr);
  }
  store->submit(std::move(b), nullptr);
  store->flush();
  return numbers;
}

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
  auto bad = h.exec(CommandType::close, op, r.order.number);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.rejection->code == RejectCode::invalid_state);
  // A department cannot see an order not yet dispatched to it: to them it is
  // not there, whatever its state would have said.
  auto unseen = h.exec(CommandType::claim, clerk_cg, r.order.number);
  REQUIRE_FALSE(unseen.ok());
  CHECK(unseen.rejection->code == RejectCode::not_found);
  CHECK(unseen.rejection->reason.find("received") == std::string::npos);
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

TEST_CASE("engine: creates in flight together with one Idempotency-Key make one order") {
  // None is committed when the others arrive: only the engine's own memory
  // of the key stops a second order (and a UNIQUE violation that would stop
  // the process).
  TempDir dir;
  Harness h(dir.file("e.db"));
  constexpr int kN = 20;
  std::vector<std::promise<engine::Reply>> replies(kN);
  for (int i = 0; i < kN; ++i)
    h.engine.execute({cmd(CommandType::create, create_args()), op, {}, "call-88"},
                     [&, i](engine::Reply r) { replies[i].set_value(std::move(r)); });
  std::set<std::string> numbers;
  int replayed = 0;
  for (auto& p : replies) {
    auto r = p.get_future().get();
    REQUIRE(r.ok());
    numbers.insert(r.order.number);
    replayed += r.replayed ? 1 : 0;
  }
  CHECK(numbers.size() == 1);
  CHECK(replayed == kN - 1);
  CHECK(h.store->list_orders({}).total == 1);
}

TEST_CASE("engine: order numbers go past 999999 a day and resume right after a restart") {
  TempDir dir;
  auto path = dir.file("e.db");
  {
    // As if 999,998 orders had been created on 2025-12-01 already.
    auto store = open_store(path);
    DecideContext ctx;
    ctx.now = kT0;
    NaturalSlaPolicy sla;
    ctx.sla = &sla;
    ctx.allocate = [] { return std::pair<std::int64_t, std::string>{999998, "HY20251201999998"}; };
    auto d = decide(nullptr, cmd(CommandType::create, create_args()), op, ctx);
    REQUIRE(d.ok());
    db::Batch b;
    b.changes.resize(1);
    for (auto& e : d.events) {
      apply(b.changes[0].order, e);
      b.changes[0].events.push_back(e);
    }
    store->submit(std::move(b), nullptr);
    store->flush();
  }
  std::vector<std::string> numbers;
  {
    Harness h(path);
    for (int i = 0; i < 3; ++i) {
      auto r = h.exec(CommandType::create, op, {}, create_args());
      REQUIRE(r.ok());
      numbers.push_back(r.order.number);
    }
  }
  CHECK(numbers ==
        std::vector<std::string>{"HY20251201999999", "HY202512011000000", "HY202512011000001"});
  Harness h(path);
  auto r = h.exec(CommandType::create, op, {}, create_args());
  REQUIRE(r.ok());
  CHECK(r.order.number == "HY202512011000002");
  CHECK(h.store->list_orders({}).total == 5);
}

TEST_CASE("engine: after stop() commands are refused and nothing is left in flight") {
  TempDir dir;
  Harness h(dir.file("e.db"));
  // Commands in flight when stop() is called are all committed and answered.
  std::vector<std::promise<engine::Reply>> replies(50);
  for (auto& p : replies)
    h.engine.execute({cmd(CommandType::create, create_args()), op, {}, {}},
                     [&p](engine::Reply r) { p.set_value(std::move(r)); });
  h.engine.stop();
  int answered = 0;
  for (auto& p : replies) {
    auto f = p.get_future();
    REQUIRE(f.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
    auto r = f.get();
    if (r.ok()) ++answered;
  }
  CHECK(answered == 50);
  CHECK(h.store->list_orders({}).total == 50);
  auto late = h.exec(CommandType::create, op, {}, create_args());
  REQUIRE_FALSE(late.ok());
  CHECK(late.rejection->code == RejectCode::internal);
}

TEST_CASE(
    "engine: restart loads open orders and continues numbering, closed ones stay answerable") {
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

TEST_CASE(
    "engine: while a backlog loads in the background, commands are decided at once and the "
    "loader's "
    "older copies never overwrite them") {
  TempDir dir;
  auto path = dir.file("e.db");
  const int n = 30000;
  auto numbers = write_backlog(path, n);
  Harness h(path, kT0 + kMinute, nullptr, /*background=*/true);
  // The last orders of the backlog: the loader hands them over last.
  const std::string claimed = numbers[n - 1], merged = numbers[n - 2];
  auto c = h.exec(CommandType::claim, clerk_cg, claimed);
  REQUIRE(c.ok());
  CHECK(c.order.version == 3);
  // Merged (closed) into one the loader reaches first: both read from the store.
  auto m = h.exec(CommandType::merge, op, merged, {{"into", numbers[1]}});
  REQUIRE(m.ok());
  CHECK(m.also_changed == std::vector<std::string>{numbers[1]});
  auto fresh = h.exec(CommandType::create, op, {}, create_args());
  REQUIRE(fresh.ok());
  CHECK(fresh.order.id == n + 1);  // numbering went on from the store's at once
  CHECK(fresh.order.number == "HY20251201" + std::to_string(n + 1 + 1000000).substr(1));
  const bool answered_while_loading = !h.engine.loaded();
  REQUIRE(h.loaded.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  h.loaded.get();
  CHECK(answered_while_loading);  // else this test did not test the race
  CHECK(h.engine.loaded());
  // All the backlog but the merged one, and the new order; the claimed one
  // is at the engine's version, not at the loader's snapshot's.
  CHECK(h.engine.open_orders() == static_cast<std::size_t>(n - 1 + 1));
  auto again = h.exec(CommandType::claim, clerk_cg, claimed);
  REQUIRE_FALSE(again.ok());
  CHECK(again.rejection->code == RejectCode::invalid_state);
  auto note = h.exec(CommandType::note, clerk_cg, claimed, {{"text", "已联系"}});
  REQUIRE(note.ok());
  CHECK(note.order.version == 4);
  auto late = h.exec(CommandType::claim, clerk_cg, merged);
  REQUIRE_FALSE(late.ok());
  CHECK(late.rejection->code == RejectCode::invalid_state);
  // The surviving order has the merged caller (its version moved on).
  auto survivor = h.exec(CommandType::claim, clerk_cg, numbers[1]);
  REQUIRE(survivor.ok());
  CHECK(survivor.order.version == 4);
  CHECK(h.engine.open_orders() == static_cast<std::size_t>(n));
}

TEST_CASE("engine: stopping while the backlog still loads ends the loader cleanly") {
  TempDir dir;
  auto path = dir.file("e.db");
  write_backlog(path, 20000);
  Harness h(path, kT0 + kMinute, nullptr, /*background=*/true);
  auto r = h.exec(CommandType::create, op, {}, create_args());
  REQUIRE(r.ok());
  h.engine.stop();  // returns without waiting for the rest of the load
  CHECK(h.store->get_order(r.order.number).has_value());
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

namespace {
std::shared_ptr<const RuleSet> example_rules() {
  auto res = load_deployment(std::string(HUYING_SOURCE_DIR) + "/config/example");
  REQUIRE(res.ok());
  return make_rule_set(res.deployment);
}
json::object intake(std::string address, std::string category,
                    std::string text = "夜市摊贩占道经营") {
  return {{"kind", "complaint"},
          {"category", std::move(category)},
          {"description", std::move(text)},
          {"address", std::move(address)},
          {"citizen", {{"phone", "13812345678"}}}};
}
}  // namespace

TEST_CASE("engine with rules: intake is placed, routed with its reason, and auto-dispatched") {
  TempDir dir;
  Harness h(dir.file("r.db"), kT0, example_rules());
  auto r = h.exec(CommandType::create, op, {}, intake("桂澜路88号", "城市管理/市容环境/占道经营"));
  REQUIRE(r.ok());
  CHECK(r.order.area == "440699001004");
  CHECK(r.order.placed_by == "road");
  REQUIRE(r.order.proposal.has_value());
  CHECK(r.order.proposal->rule == "local:urban_management");
  CHECK(r.order.status == Status::dispatched);
  CHECK(*r.order.lead_dept() == "cg-gy");
  // The log keeps the decision: created carries the route, dispatched the rule.
  auto stored = h.store->get_order(r.order.number);
  REQUIRE(stored->events.size() == 2);
  CHECK(stored->events[0].data.at("route").at("config_version").as_string() == "2026.11-1");
  CHECK(stored->events[1].actor.role == Role::system);
  CHECK(stored->events[1].data.at("rule").as_string() == "local:urban_management");

  // An address that places nothing is left for the desk, flagged, with no
  // district department proposed by default.
  auto u = h.exec(CommandType::create, op, {}, intake("不知道哪里", "城市管理/市容环境/占道经营"));
  CHECK(u.order.status == Status::received);
  CHECK(u.order.needs_review);
  CHECK(u.order.placement == "unknown");
  CHECK(u.order.proposal->lead.empty());
  CHECK(u.order.proposal->rule == "review:unknown_place");
  // Its real place comes first (rankings, hot spots and 吹哨 count it there),
  // then a department.
  auto no_area = h.exec(CommandType::dispatch, disp, u.order.number, {{"lead", "cg"}});
  REQUIRE_FALSE(no_area.ok());
  CHECK(no_area.rejection->field == "area");
  auto no_lead = h.exec(CommandType::dispatch, disp, u.order.number, {{"area", "440699001004"}});
  REQUIRE_FALSE(no_lead.ok());
  CHECK(no_lead.rejection->field == "lead");
  auto d = h.exec(CommandType::dispatch, disp, u.order.number,
                  {{"lead", "cg"}, {"area", "440699001004"}});
  REQUIRE(d.ok());
  CHECK(*d.order.lead_dept() == "cg");
  CHECK(d.order.area == "440699001004");
  CHECK_FALSE(d.order.needs_review);

  // An alias inside a bank's name is weak: the desk sees the candidate, nothing is dispatched.
  auto w =
      h.exec(CommandType::create, op, {}, intake("华夏银行门口", "城市管理/市容环境/占道经营"));
  CHECK(w.order.status == Status::received);
  CHECK(w.order.placement == "weak");
  CHECK(w.order.candidates == std::vector<std::string>{"440699011004"});
  CHECK(w.order.area == "440699000000");  // not counted in a street it may not be in

  // An emergency cue is proposed for transfer, never auto-dispatched; the
  // route beside it stays, for when the operator finds no emergency.
  auto e = h.exec(CommandType::create, op, {},
                  intake("南约花园", "城市管理/市容环境/垃圾清运", "隔壁着火了"));
  CHECK(e.order.status == Status::received);
  CHECK(e.order.proposal->transfer_line == "119");
  CHECK(e.order.proposal->cue_words == std::vector<std::string>{"着火"});
  CHECK_FALSE(e.order.proposal->lead.empty());
  // A negated mention raises nothing, and the order goes out at once.
  auto n = h.exec(CommandType::create, op, {},
                  intake("南约花园", "城市管理/市容环境/垃圾清运", "不是着火，是垃圾堆冒烟味"));
  CHECK(n.order.proposal->transfer_line.empty());
  CHECK(n.order.status == Status::dispatched);
}

TEST_CASE("engine with rules: a malformed area code is refused, an unknown one is placed") {
  TempDir dir;
  Harness h(dir.file("r.db"), kT0, example_rules());
  auto args = intake("桂澜路88号", "城市管理/市容环境/占道经营");
  args["area"] = "4406";
  auto bad = h.exec(CommandType::create, op, {}, args);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.rejection->field == "area");
  args["area"] = "440699099099";  // well-formed, not in the tree: placed from the address
  auto ok = h.exec(CommandType::create, op, {}, args);
  REQUIRE(ok.ok());
  CHECK(ok.order.area == "440699001004");
}

TEST_CASE("engine with rules: unknown departments are refused") {
  TempDir dir;
  Harness h(dir.file("r.db"), kT0, example_rules());
  auto u = h.exec(CommandType::create, op, {}, intake("不知道哪里", "城市管理/市容环境/占道经营"));
  auto d = h.exec(CommandType::dispatch, disp, u.order.number,
                  {{"lead", "nosuch"}, {"area", "440699001004"}});
  REQUIRE_FALSE(d.ok());
  CHECK(d.rejection->field == "lead");
  auto a = h.exec(CommandType::dispatch, disp, u.order.number,
                  {{"lead", "cg"}, {"area", "440699999999"}});
  REQUIRE_FALSE(a.ok());
  CHECK(a.rejection->field == "area");
}

TEST_CASE("engine with rules: ping-pong goes to the street hub, unsatisfied is reopened") {
  TempDir dir;
  Harness h(dir.file("r.db"), kT0, example_rules());
  auto r = h.exec(CommandType::create, op, {}, intake("桂澜路88号", "城市管理/市容环境/占道经营"));
  std::string n = r.order.number;
  Actor cg_gy{"c", Role::clerk, "cg-gy", ""};
  REQUIRE(h.exec(CommandType::return_order, cg_gy, n, {{"reason", "not_our_duty"}}).ok());
  REQUIRE(h.exec(CommandType::arbitrate, disp, n, {{"lead", "zj"}, {"ruling", "属住建"}}).ok());
  auto second = h.exec(CommandType::return_order, Actor{"z", Role::clerk, "zj", ""}, n,
                       {{"reason", "wrong_area"}});
  REQUIRE(second.ok());
  CHECK(second.order.difficult);
  CHECK(second.order.status == Status::dispatched);
  CHECK(*second.order.lead_dept() == "hub-gy");
  CHECK(h.store->get_order(n)->order.difficult);

  Actor hub{"h", Role::coordinator, "hub-gy", "440699001000"};
  REQUIRE(h.exec(CommandType::claim, hub, n).ok());
  REQUIRE(h.exec(CommandType::reply, hub, n,
                 {{"result", "已清理"}, {"onsite", {{"at", kT0}, {"by", "王"}, {"place", "现场"}}}})
              .ok());
  auto v = h.exec(CommandType::visit, op, n, {{"solved", false}, {"satisfaction", "unsatisfied"}});
  REQUIRE(v.ok());
  CHECK(v.order.status == Status::claimed);
  CHECK(v.order.reopen_count == 1);
  CHECK(v.order.escalated("不满意重办"));
}

TEST_CASE(
    "engine with rules: 吹哨 creates linked orders, a claim reports to the parent, in one commit") {
  TempDir dir;
  Harness h(dir.file("r.db"), kT0, example_rules());
  auto r = h.exec(CommandType::create, op, {}, intake("不知道哪里", "城市管理/市容环境/占道经营"));
  REQUIRE(r.ok());
  std::string n = r.order.number;
  REQUIRE(
      h.exec(CommandType::dispatch, disp, n, {{"lead", "hub-gy"}, {"area", "440699001004"}}).ok());
  Actor hub{"h", Role::coordinator, "hub-gy", "440699001000"};
  auto w = h.exec(CommandType::whistle, hub, n,
                  {{"depts", json::array{"zj", "sthj"}}, {"comment", "违建涉及多部门"}});
  REQUIRE(w.ok());
  REQUIRE(w.also_changed.size() == 2);
  auto kid = h.store->get_order(w.also_changed[1]);
  REQUIRE(kid.has_value());
  CHECK(kid->order.parent == n);
  CHECK(*kid->order.lead_dept() == "sthj");
  CHECK(kid->order.claim_due == kT0 + 30 * kMinute);
  // The environment bureau reports (claims): the parent records it.
  auto c = h.exec(CommandType::claim, Actor{"s", Role::clerk, "sthj", ""}, w.also_changed[1]);
  REQUIRE(c.ok());
  REQUIRE(c.also_changed == std::vector<std::string>{n});
  auto parent = h.store->get_order(n)->order;
  REQUIRE(parent.whistles.size() == 2);
  CHECK(parent.whistles[1].dept == "sthj");
  CHECK(parent.whistles[1].reported_at == kT0);
  CHECK(parent.whistles[0].reported_at == 0);
}

TEST_CASE(
    "engine with rules: the third order of a kind in one community within 7 days is a hot spot") {
  TempDir dir;
  auto path = dir.file("r.db");
  std::vector<std::string> numbers;
  {
    Harness h(path, kT0, example_rules());
    for (int i = 0; i < 2; ++i) {
      auto r =
          h.exec(CommandType::create, op, {}, intake("桂澜路88号", "城市管理/市容环境/占道经营"));
      CHECK_FALSE(r.order.hot_spot);
      numbers.push_back(r.order.number);
      h.clock.advance(kDay);
    }
  }
  // Across a restart: the window is rebuilt from the store.
  Harness h(path, kT0 + 2 * kDay, example_rules());
  auto third =
      h.exec(CommandType::create, op, {}, intake("桂澜路90号", "城市管理/市容环境/占道经营"));
  CHECK(third.order.hot_spot);
  CHECK(third.order.escalated("七日三次高频"));
  auto stored = h.store->get_order(third.order.number);
  bool found = false;
  for (const auto& e : stored->events)
    if (e.type == EventType::escalated) {
      found = true;
      CHECK(e.data.at("related").as_array().size() == 3);
    }
  CHECK(found);
}

namespace {
// Waits (bounded) until the store holds `n` events.
bool wait_events(db::Store& s, std::int64_t n) {
  for (int i = 0; i < 500; ++i) {
    if (s.count_events() >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}
}  // namespace

TEST_CASE("engine timers: 黄灯 and 红灯 fire as the clock passes the deadlines") {
  TempDir dir;
  // 2025-12-01 is a Monday; 10:00 + 2 working hours to claim = 12:00.
  Harness h(dir.file("t.db"), kT0, example_rules());
  auto r = h.exec(CommandType::create, op, {}, intake("桂澜路88号", "城市管理/市容环境/占道经营"));
  REQUIRE(r.order.status == Status::dispatched);
  CHECK(r.order.claim_due == kT0 + 2 * kHour);
  const auto base = h.store->count_events();  // created + dispatched
  h.clock.advance(96 * kMinute);              // 80% of the allowance
  h.engine.poke();
  REQUIRE(wait_events(*h.store, base + 1));
  auto evs = h.store->get_order(r.order.number)->events;
  CHECK(evs.back().type == EventType::warned);
  h.clock.set(kT0 + 2 * kHour);
  h.engine.poke();
  REQUIRE(wait_events(*h.store, base + 3));  // overdue + 超时未签收提醒
  evs = h.store->get_order(r.order.number)->events;
  CHECK(evs[evs.size() - 2].type == EventType::overdue);
  CHECK(evs.back().type == EventType::escalated);
  CHECK(evs.back().data.at("rule").as_string() == "超时未签收提醒");
}

TEST_CASE(
    "engine timers: restart after downtime fires what fell due, in deadline order, exactly once") {
  TempDir dir;
  auto path = dir.file("t.db");
  std::vector<std::string> numbers;
  {
    Harness h(path, kT0, example_rules());
    for (int i = 0; i < 3; ++i) {
      numbers.push_back(
          h.exec(CommandType::create, op, {}, intake("桂澜路88号", "城市管理/市容环境/占道经营"))
              .order.number);
      h.clock.advance(10 * kMinute);
    }
  }
  std::int64_t before = 0;
  {
    auto s = open_store(path);
    before = s->count_events();
  }
  // Down until the next morning: each order's claim deadline and twice it passed.
  {
    Harness h(path, kT0 + kDay, example_rules());
    // Per order: overdue(claim) + two escalations.
    REQUIRE(wait_events(*h.store, before + 9));
  }
  db::Connection c(path, db::Connection::Mode::read_only);
  db::Statement q(c,
                  "SELECT o.number, e.type FROM events e JOIN orders o ON o.id = e.order_id "
                  "WHERE e.type = 'overdue' ORDER BY e.id");
  std::vector<std::string> order;
  while (q.step()) order.push_back(q.col_text(0));
  CHECK(order == numbers);  // deadline order
  const auto after = c.query_int("SELECT count(*) FROM events");
  CHECK(after == before + 9);
  {
    Harness h(path, kT0 + kDay, example_rules());  // again: nothing new
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(h.store->count_events() == after);
  }
}

TEST_CASE(
    "engine: a merge moves the duplicate's caller to the surviving order in the same commit") {
  TempDir dir;
  Harness h(dir.file("m.db"));
  auto keep = h.exec(CommandType::create, op, {}, create_args());
  json::object second = create_args();
  second["citizen"] = {{"name", "李四"}, {"phone", "13700001111"}};
  auto dup = h.exec(CommandType::create, op, {}, second);
  auto m = h.exec(CommandType::merge, op, dup.order.number, {{"into", keep.order.number}});
  REQUIRE(m.ok());
  CHECK(m.also_changed == std::vector<std::string>{keep.order.number});
  auto stored = h.store->get_order(keep.order.number);
  REQUIRE(stored.has_value());
  REQUIRE(stored->order.callers.size() == 1);
  CHECK(stored->order.callers[0].from == dup.order.number);
  CHECK(stored->order.callers[0].citizen.phone == "13700001111");
  CHECK(stored->events.back().type == EventType::caller_added);
}

TEST_CASE("engine with rules: an unknown category is refused at intake, naming the field") {
  TempDir dir;
  Harness h(dir.file("c.db"), kT0, example_rules());
  auto r = h.exec(CommandType::create, op, {}, intake("桂澜路88号", "其他/无法分类"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.rejection->field == "category");
}
