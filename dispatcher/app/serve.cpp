#include "dispatcher/app/serve.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "db/pg_store.hpp"
#include "db/store.hpp"
#include "dispatcher/app/outbox.hpp"
#include "dispatcher/app/rules.hpp"
#include "dispatcher/app/simulator.hpp"
#include "dispatcher/core/clock.hpp"
#include "dispatcher/engine/engine.hpp"
#include "dispatcher/server/api.hpp"
#include "dispatcher/server/server.hpp"

namespace huying::app {

int serve(const ServeOptions& opts) {
  namespace fs = std::filesystem;
  // A bad config never starts: every error is printed with file and line.
  std::shared_ptr<const core::Deployment> deployment;
  std::shared_ptr<const core::RuleSet> rules;
  if (!opts.config_dir.empty()) {
    auto loaded = load_rules(opts.config_dir);
    for (const auto& e : loaded.errors) spdlog::error("config: {}", e.to_string());
    if (!loaded.ok()) {
      spdlog::error("config: {} has {} error(s); not starting", opts.config_dir,
                    loaded.errors.size());
      return 2;
    }
    deployment = loaded.deployment;
    rules = loaded.rules;
    spdlog::info("config: {} version {}", deployment->name, deployment->version);
    for (const auto& w : core::coverage_warnings(*deployment, core::SystemClock().now()))
      spdlog::warn("config: {}", w);
  }
  // Declared first, destroyed last: the store's last completions post to it.
  boost::asio::io_context ioc;
  std::unique_ptr<db::Store> store = open_store(opts.db_path, opts.db_schema);
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
  engine::Engine engine(ioc, *store, {.clock = &clock, .sla = &sla, .rules = rules});
  // The open orders load in the background while the server already answers
  // (a million take a while): reads go to the store, and commands are
  // decided at once (an order not loaded yet is read from the store). A load
  // that fails stops the process; what it acknowledged meanwhile is stored.
  const auto load_start = std::chrono::steady_clock::now();
  engine.start_async([&opts, load_start](std::exception_ptr err) {
    if (err) {
      try {
        std::rethrow_exception(err);
      } catch (const std::exception& e) {
        spdlog::critical("engine: cannot load orders from {}: {}; stopping",
                         db::db_label(opts.db_path), e.what());
      }
      spdlog::shutdown();
      std::_Exit(1);
    }
    spdlog::info(
        "engine: ready after {:.1f} s",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count());
  });

  // The live rules, read by the API and swapped by a reload (SIGHUP or the
  // admin API): a bad config is refused and the running rules stay.
  std::mutex rules_mu;
  std::mutex reload_mu;  // one reload at a time
  auto current_rules = [&]() -> std::shared_ptr<const core::RuleSet> {
    std::lock_guard lk(rules_mu);
    return rules;
  };
  auto reload = [&]() {
    std::lock_guard rl(reload_mu);
    server::ReloadResult r;
    auto loaded = load_rules(opts.config_dir);
    for (const auto& e : loaded.errors) {
      spdlog::error("config reload: {}", e.to_string());
      r.errors.push_back(e.to_string());
    }
    if (!loaded.ok()) {
      spdlog::error("config reload refused: {} error(s); the running rules stay",
                    loaded.errors.size());
      r.version = current_rules() ? current_rules()->deployment->version : "";
      return r;
    }
    engine.set_rules(loaded.rules);
    {
      std::lock_guard lk(rules_mu);
      rules = loaded.rules;
    }
    spdlog::info("config reloaded: version {}", loaded.deployment->version);
    r.ok = true;
    r.version = loaded.deployment->version;
    return r;
  };

  std::unique_ptr<server::Server> server;
  try {
    server::ServerOptions so;
    so.address = opts.address;
    so.port = opts.port;
    so.auth.requests_per_second = opts.requests_per_session;
    so.auth.idle = opts.session_idle_seconds * core::kSecond;
    so.read_timeout = std::chrono::seconds(opts.read_timeout_seconds);
    so.ws_idle_timeout = std::chrono::seconds(opts.ws_idle_seconds);
    so.web_root = opts.web_dir;
    so.ws_queue_bytes = static_cast<std::size_t>(opts.ws_queue_bytes);
    so.auth.absolute = opts.session_max_seconds * core::kSecond;
    server::Services services{engine, *store, clock, current_rules, {}};
    if (!opts.config_dir.empty()) services.reload = reload;
    server = std::make_unique<server::Server>(ioc, services, so);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  // 跨域转办: deliveries to other platforms, from the store, until acknowledged.
  std::unique_ptr<Outbox> outbox;
  if (!opts.config_dir.empty())
    outbox = std::make_unique<Outbox>(*store, engine, clock, current_rules);
  boost::asio::signal_set hup(ioc, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_hup =
      [&](const boost::system::error_code& ec, int) {
        if (ec) return;
        if (!opts.config_dir.empty() && reload().ok) server->rules_changed();
        hup.async_wait(on_hup);
      };
  hup.async_wait(on_hup);

  // Simulated traffic (the demo): its own thread, driving the engine.
  std::atomic<bool> sim_stop{false};
  std::thread sim;
  std::thread stopper;
  if (sim_clock && opts.simulate_per_day > 0) {
    sim = std::thread([&] {
      SimOptions so;
      so.from = clock.now();
      so.days = 366;
      so.per_day = opts.simulate_per_day;
      so.speed = opts.simulate_speed;
      so.progress = false;
      so.stop = &sim_stop;
      so.seed = static_cast<unsigned>(system_clock.now());
      app::simulate(engine, *store, clock, rules, so);
    });
    spdlog::info("simulated traffic: {} orders a day, clock x{}", opts.simulate_per_day,
                 opts.simulate_speed);
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
      if (outbox) outbox->stop();  // it waits on the engine: stopped first
      // Everything acknowledged is already committed; this drains the rest so
      // no store completion outlives the engine or the io_context.
      engine.stop();
      // Every request already taken gets its answer (a commit's, or "shutting
      // down"): wait for them to be handed to their connections, then give
      // the writes a moment.
      for (int i = 0; i < 500 && server->in_flight() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (server->in_flight() > 0)
        spdlog::warn("{} request(s) still unanswered at exit", server->in_flight());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
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

}  // namespace huying::app
