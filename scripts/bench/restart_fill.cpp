// Fills a store with open orders for scripts/bench/restart: each created and
// dispatched through the domain (decide + apply), so the stored documents
// and events are what a running district writes: created, dispatched and
// claimed by the department, under the deployment's own working-time SLA,
// so a server started on the file soon after has no timer due at once (the
// next are the handling deadlines' warnings, days away).
//
//   bench_restart_fill CONFIG DB ORDERS
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "db/store.hpp"
#include "dispatcher/app/rules.hpp"
#include "dispatcher/core/lifecycle.hpp"
#include "dispatcher/core/order_number.hpp"
#include "dispatcher/core/sla_policy.hpp"

using namespace huying;
namespace json = boost::json;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_restart_fill CONFIG DB ORDERS\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  auto loaded = app::load_rules(argv[1]);
  if (!loaded.ok() || !loaded.rules->sla) {
    std::fprintf(stderr, "bench_restart_fill: cannot load %s\n", argv[1]);
    return 1;
  }
  const core::SlaPolicy& sla = *loaded.rules->sla;
  const long n = std::stol(argv[3]);
  auto store = db::open_sqlite_store({.path = argv[2]});
  core::OrderNumbering numbering;
  numbering.observe(store->max_order_number());
  std::int64_t last_id = store->max_order_id();
  const core::Actor op{"bench-op", core::Role::operator_, "", ""};
  const core::Actor desk{"bench-desk", core::Role::dispatcher, "", ""};
  const char* categories[] = {"城市管理/市容环境/占道经营", "住房建设/物业管理/电梯故障",
                              "生态环境/噪声污染/施工噪声", "交通出行/公共交通/公交线路"};
  const char* leads[] = {"cg-gy", "zj", "sthj", "jt"};
  const char* communities[] = {"440699001001", "440699001002", "440699002001", "440699003004"};
  std::mutex mu;
  std::condition_variable cv;
  long inflight = 0;
  const auto t0 = std::chrono::steady_clock::now();
  db::Batch batch;
  for (long i = 0; i < n; ++i) {
    const core::Millis now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    core::DecideContext ctx;
    ctx.now = now;
    ctx.sla = &sla;
    ctx.allocate = [&] { return std::pair{++last_id, numbering.next(now)}; };
    const int k = static_cast<int>(i % 4);
    json::object args{
        {"kind", "complaint"},
        {"category", categories[k]},
        {"area", communities[k]},
        {"address", "桂园街道文华社区红岭路" + std::to_string(i % 300) + "号"},
        {"description", "门口有人占道经营，堵住通道，已经持续一周，请尽快处理"},
        {"citizen", {{"name", "市民"}, {"phone", "1380000" + std::to_string(1000 + i % 9000)}}}};
    db::Change c;
    auto d = core::decide(nullptr, {core::CommandType::create, std::move(args)}, op, ctx);
    if (!d.ok()) {
      std::fprintf(stderr, "create refused: %s\n", d.rejection->reason.c_str());
      return 1;
    }
    for (auto& e : d.events) {
      core::apply(c.order, e);
      c.events.push_back(std::move(e));
    }
    auto then = [&](core::CommandType type, json::object a, const core::Actor& who) {
      auto d2 = core::decide(&c.order, {type, std::move(a)}, who, ctx);
      if (!d2.ok()) {
        std::fprintf(stderr, "%s refused: %s\n", std::string(core::name(type)).c_str(),
                     d2.rejection->reason.c_str());
        std::exit(1);
      }
      for (auto& e : d2.events) {
        core::apply(c.order, e);
        c.events.push_back(std::move(e));
      }
    };
    then(core::CommandType::dispatch, {{"lead", leads[k]}, {"area", communities[k]}}, desk);
    then(core::CommandType::claim, {}, core::Actor{"bench-clerk", core::Role::clerk, leads[k], ""});
    batch.changes.push_back(std::move(c));
    if (batch.changes.size() == 1000 || i + 1 == n) {
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return inflight < 8; });
        ++inflight;
      }
      store->submit(std::move(batch), [&](const db::CommitStatus&) {
        std::lock_guard lk(mu);
        --inflight;
        cv.notify_all();
      });
      batch = {};
    }
    if ((i + 1) % 100000 == 0) std::fprintf(stderr, "  %ld orders written\n", i + 1);
  }
  store->flush();
  std::printf("%ld open orders written in %.1f s\n", n,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}
