// Crash-test child: opens the store at argv[1], starts the engine, and has
// several client threads create orders as fast as they are acknowledged. Each
// acknowledged order number is written to stdout (one write per line, atomic
// on a pipe) only after the engine answered — i.e. after the durable commit.
// Prints "ready" first. Runs until killed.
//
// With a config folder as argv[3], intake goes through routing: each create
// is placed, routed and auto-dispatched in one multi-event commit.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "db/store.hpp"
#include "dispatcher/config/config_load.hpp"
#include "dispatcher/core/clock.hpp"
#include "dispatcher/engine/engine.hpp"

using namespace huying;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: crash_child DB [CLIENTS] [CONFIG_DIR]\n");
    return 2;
  }
  int clients = argc > 2 ? std::atoi(argv[2]) : 8;
  spdlog::set_default_logger(spdlog::stderr_color_mt("crash_child"));
  spdlog::set_level(spdlog::level::warn);
  auto store = db::open_sqlite_store({.path = argv[1]});
  boost::asio::io_context ioc;
  auto guard = boost::asio::make_work_guard(ioc);
  core::SystemClock clock;
  core::NaturalSlaPolicy sla;
  std::shared_ptr<const core::RuleSet> rules;
  if (argc > 3) {
    auto res = core::load_deployment(argv[3]);
    if (!res.ok()) {
      std::fprintf(stderr, "bad config %s\n", argv[3]);
      return 2;
    }
    rules = core::make_rule_set(res.deployment);
  }
  engine::Engine eng(ioc, *store, {.clock = &clock, .sla = &sla, .rules = rules});
  eng.start();
  std::vector<std::thread> pool;
  for (int i = 0; i < 2; ++i) pool.emplace_back([&] { ioc.run(); });

  const char ready[] = "ready\n";
  if (::write(1, ready, sizeof ready - 1) < 0) return 1;

  std::vector<std::thread> users;
  std::atomic<long> n{0};
  for (int c = 0; c < clients; ++c) {
    users.emplace_back([&, c] {
      core::Actor op{"op" + std::to_string(c), core::Role::operator_, "", ""};
      for (;;) {
        long i = n.fetch_add(1);
        boost::json::object args{{"kind", "complaint"},
                                 {"category", "城市管理/市容环境/占道经营"},
                                 {"description", "crash test order " + std::to_string(i)},
                                 {"address", "桂澜路88号"},
                                 {"citizen", {{"phone", "13800000000"}}}};
        std::promise<engine::Reply> p;
        auto f = p.get_future();
        eng.execute({{core::CommandType::create, std::move(args)},
                     op,
                     {},
                     "crash-" + std::to_string(getpid()) + "-" + std::to_string(i)},
                    [&](engine::Reply r) { p.set_value(std::move(r)); });
        engine::Reply r = f.get();
        if (!r.ok()) {
          std::fprintf(stderr, "rejected: %s\n", r.rejection->reason.c_str());
          _exit(3);
        }
        std::string line = r.order.number + "\n";
        if (::write(1, line.data(), line.size()) < 0) _exit(4);
      }
    });
  }
  for (auto& u : users) u.join();
}
