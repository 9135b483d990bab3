#include "dispatcher/server/serve.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <filesystem>
#include <thread>
#include <vector>

#include "db/store.hpp"
#include "dispatcher/core/config_load.hpp"
#include "dispatcher/core/clock.hpp"
#include "dispatcher/engine/engine.hpp"
#include "dispatcher/engine/simulator.hpp"
#include "dispatcher/server/server.hpp"

namespace huying::server {

namespace {
// Opens the store, creating its folder first; null (after logging the path
// and the reason) when it cannot.
std::unique_ptr<db::Store> open_store(const std::string& path) {
  if (auto parent = std::filesystem::path(path).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
  }
  try {
    return db::open_sqlite_store({.path = path});
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return nullptr;
  }
}
}  // namespace

int serve(const ServeOptions& opts) {
  namespace fs = std::filesystem;
  // A bad config never starts: every error is printed with file and line.
  std::shared_ptr<const core::Deployment> deployment;
  if (!opts.config_dir.empty()) {
    auto res = core::load_deployment(opts.config_dir);
    for (const auto& e : res.errors) spdlog::error("config: {}", e.to_string());
    if (!res.ok()) {
      spdlog::error("config: {} has {} error(s); not starting", opts.config_dir, res.errors.size());
      return 2;
    }
    deployment = res.deployment;
    spdlog::info("config: {} version {}", deployment->name, deployment->version);
    for (const auto& w : core::coverage_warnings(*deployment, core::SystemClock().now()))
      spdlog::warn("config: {}", w);
  }
  // Declared first, destroyed last: the store's last completions post to it.
  boost::asio::io_context ioc;
  std::unique_ptr<db::Store> store = open_store(opts.db_path);
  if (!store) return 1;

  core::SystemClock system_clock;
  std::unique_ptr<core::SimClock> sim_clock;
  if (opts.simulate_speed > 0) {
    if (!deployment) {
      spdlog::error("simulated traffic needs --config");
      return 2;
    }
    sim_clock = std::make_unique<core::SimClock>(system_clock.now(), opts.simulate_speed);
  }
  core::Clock& clock = sim_clock ? static_cast<core::Clock&>(*sim_clock) : system_clock;
  core::NaturalSlaPolicy sla;
  std::shared_ptr<const core::RuleSet> rules;
  try {
    if (deployment) rules = core::make_rule_set(deployment);
  } catch (const std::exception& e) {
    spdlog::error("config: {}: {}; not starting", opts.config_dir, e.what());
    return 2;
  }
  engine::Engine engine(ioc, *store,
                        {.clock = &clock, .sla = &sla,
                         .rules = rules});
  try {
    engine.start();
  } catch (const std::exception& e) {
    spdlog::error("engine: cannot load orders from {}: {}", opts.db_path, e.what());
    return 1;
  }

  std::unique_ptr<Server> server;
  try {
    server = std::make_unique<Server>(ioc, Services{engine, *store},
                                      ServerOptions{opts.address, opts.port});
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  // SIGHUP: reload the config; a bad one is refused and the old rules stay.
  boost::asio::signal_set hup(ioc, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_hup =
      [&](const boost::system::error_code& ec, int) {
        if (ec) return;
        if (!opts.config_dir.empty()) {
          auto res = core::load_deployment(opts.config_dir);
          for (const auto& e : res.errors) spdlog::error("config reload: {}", e.to_string());
          if (res.ok()) {
            try {
              engine.set_rules(core::make_rule_set(res.deployment));
              spdlog::info("config reloaded: version {}", res.deployment->version);
            } catch (const std::exception& e) {
              spdlog::error("config reload refused: {}; the running rules stay", e.what());
            }
          } else {
            spdlog::error("config reload refused: {} error(s); the running rules stay", res.errors.size());
          }
        }
        hup.async_wait(on_hup);
      };
  hup.async_wait(on_hup);

  // Simulated traffic (the demo): its own thread, driving the engine.
  std::atomic<bool> sim_stop{false};
  std::thread sim;
  std::thread stopper;
  if (sim_clock) {
    sim = std::thread([&] {
      engine::SimOptions so;
      so.from = clock.now();
      so.days = 366;
      so.per_day = opts.simulate_per_day;
      so.speed = opts.simulate_speed;
      so.progress = false;
      so.stop = &sim_stop;
      so.seed = static_cast<unsigned>(system_clock.now());
      engine::simulate(engine, *store, clock, rules, so);
    });
    spdlog::info("simulated traffic: {} orders a day, clock x{}", opts.simulate_per_day, opts.simulate_speed);
  }

  // Handlers first: a SIGTERM right after the "listening" line must stop us
  // cleanly, not kill us.
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: stopping", sig);
    server->stop();
    hup.cancel();
    sim_stop = true;
    // The simulator waits on the engine: let it finish before the io_context stops.
    // Keep the io_context running while the engine drains (with the server
    // and the signal sets gone it could run out of work before that).
    stopper = std::thread([&, work = boost::asio::make_work_guard(ioc)]() mutable {
      if (sim.joinable()) sim.join();
      // Everything acknowledged is already committed; this drains the rest so
      // no store completion outlives the engine or the io_context.
      engine.stop();
      work.reset();
      ioc.stop();
    });
  });
  std::printf("listening on http://%s:%u\n", opts.address.c_str(), server->port());
  std::fflush(stdout);


  std::vector<std::thread> pool;
  for (int i = 1; i < std::max(1, opts.threads); ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  if (stopper.joinable()) stopper.join();
  if (sim.joinable()) sim.join();
  spdlog::info("stopped");
  return 0;
}

int simulate(const SimulateOptions& opts) {
  namespace fs = std::filesystem;
  int y = 0;
  unsigned m = 0, d = 0;
  if (std::sscanf(opts.from.c_str(), "%d-%u-%u", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31) {
    spdlog::error("simulate: --from must be YYYY-MM-DD, not '{}'", opts.from);
    return 2;
  }
  auto res = core::load_deployment(opts.config_dir);
  for (const auto& e : res.errors) spdlog::error("config: {}", e.to_string());
  if (!res.ok()) return 2;
  std::shared_ptr<const core::RuleSet> rules;
  try {
    rules = core::make_rule_set(res.deployment);
  } catch (const std::exception& e) {
    spdlog::error("config: {}", e.what());
    return 2;
  }
  std::unique_ptr<db::Store> store = open_store(opts.db_path);
  if (!store) return 1;
  const core::Millis from = core::shanghai_time({y, m, d}, 8, 0);
  std::unique_ptr<core::Clock> clock;
  if (opts.speed > 0) clock = std::make_unique<core::SimClock>(from, opts.speed);
  else clock = std::make_unique<core::FakeClock>(from);
  core::NaturalSlaPolicy fallback;

  boost::asio::io_context ioc;
  auto work = boost::asio::make_work_guard(ioc);
  engine::Engine engine(ioc, *store, {.clock = clock.get(), .sla = &fallback, .rules = rules});
  engine.start();
  std::thread io([&] { ioc.run(); });
  engine::SimOptions so;
  so.from = from;
  so.days = opts.days;
  so.per_day = opts.per_day;
  so.speed = opts.speed;
  so.seed = opts.seed;
  auto report = engine::simulate(engine, *store, *clock, rules, so);
  engine.stop();
  work.reset();
  io.join();
  std::printf("simulated %d days from %s at %d orders/day on %s (store %s)\n%s", opts.days, opts.from.c_str(),
              opts.per_day, res.deployment->name.c_str(), opts.db_path.c_str(), report.to_string().c_str());
  return 0;
}

}  // namespace huying::server
