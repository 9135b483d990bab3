#include "dispatcher/app/serve.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
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
#include "dispatcher/server/standby.hpp"

namespace huying::app {

namespace {

// Wins the district's lease, at once or after waiting as standby: meanwhile
// the port answers /healthz as standby and 503 for the rest (port: the one
// bound, for the active server to take over). Null when it cannot (stopped
// set: by a signal).
std::shared_ptr<db::PgLease> wait_as_standby(const ServeOptions& opts, unsigned short& port,
                                             bool& stopped) {
  db::LeaseOptions lo;
  lo.url = opts.db_path;
  lo.schema = opts.db_schema;
  lo.poll = std::chrono::milliseconds(opts.lease_poll_ms);
  std::string why;
  if (auto l = db::try_lease(lo, why)) {
    spdlog::info("lease: {} won at once: this dispatcher is active", l->name());
    return l;
  }
  const std::int64_t since = core::SystemClock().now();
  std::mutex mu;
  // /healthz is public: who holds the lease, but not the database's own
  // error text (hosts, users); that is in the log.
  auto public_reason = [](const std::string& w) {
    return w.rfind("the lease ", 0) == 0
               ? w
               : std::string("the database cannot be reached (see the log)");
  };
  std::string reason = public_reason(why);
  boost::asio::io_context sioc;
  std::unique_ptr<server::StandbyServer> standby;
  try {
    standby = std::make_unique<server::StandbyServer>(sioc, opts.address, opts.port, [&] {
      std::lock_guard lk(mu);
      return boost::json::serialize(boost::json::object{
          {"store", "postgresql"}, {"waiting_since", since}, {"reason", reason}});
    });
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return nullptr;
  }
  port = standby->port();
  std::atomic<bool> stop{false};
  boost::asio::signal_set sigs(sioc, SIGINT, SIGTERM);
  sigs.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: stopping (standby)", sig);
    stop = true;
  });
  std::thread t([&] { sioc.run(); });
  std::printf("listening on http://%s:%u (standby)\n", opts.address.c_str(), port);
  std::fflush(stdout);
  lo.stop = &stop;
  lo.waiting = [&](const std::string& w) {
    spdlog::warn("lease: standby: {}", w);
    std::lock_guard lk(mu);
    reason = public_reason(w);
  };
  auto lease = db::wait_for_lease(lo);
  // The listener closes on its own thread; then the port is ours to take.
  std::promise<void> closed;
  boost::asio::post(sioc, [&] {
    standby->stop();
    sigs.cancel();
    closed.set_value();
  });
  closed.get_future().wait();
  sioc.stop();
  t.join();
  standby.reset();
  if (stop) lease.reset();  // told to stop as the lease came: stop, and free it
  if (!lease) {
    stopped = true;
    return nullptr;
  }
  spdlog::info("lease: {} won after {:.1f} s as standby: this dispatcher takes over", lease->name(),
               static_cast<double>(core::SystemClock().now() - since) / 1000.0);
  return lease;
}

}  // namespace

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
  // PostgreSQL: only the holder of the district's lease works; the others
  // wait as standby (answering /healthz) until it frees.
  unsigned short port = opts.port;
  std::shared_ptr<db::PgLease> lease;
  if (db::is_pg_url(opts.db_path) && !opts.read_only) {
    bool stopped = false;
    lease = wait_as_standby(opts, port, stopped);
    if (stopped) return 0;
    if (!lease) return 1;
  }
  // A read-only replica (a hot standby's URL will do): no lease, no writer.
  std::unique_ptr<db::Store> store = opts.read_only
                                         ? open_store_read_only(opts.db_path, opts.db_schema)
                                         : open_store(opts.db_path, opts.db_schema, lease);
  if (!store) return 1;

  core::SystemClock system_clock;
  std::unique_ptr<core::SimClock> sim_clock;
  if (opts.simulate_speed > 0) {
    if (!deployment) {
      spdlog::error("simulated traffic needs --config");
      return 2;
    }
    // With an epoch E, simulated time is E + (now - E) * speed whenever the
    // process started: dispatchers sharing one store agree on the time.
    const core::Millis real = system_clock.now();
    const core::Millis from =
        opts.simulate_epoch_ms > 0 && opts.simulate_epoch_ms <= real
            ? opts.simulate_epoch_ms +
                  static_cast<core::Millis>(static_cast<double>(real - opts.simulate_epoch_ms) *
                                            opts.simulate_speed)
            : real;
    sim_clock = std::make_unique<core::SimClock>(from, opts.simulate_speed);
  }
  core::Clock& clock = sim_clock ? static_cast<core::Clock&>(*sim_clock) : system_clock;
  core::NaturalSlaPolicy sla;
  engine::Engine engine(ioc, *store, {.clock = &clock, .sla = &sla, .rules = rules});
  // The open orders load in the background while the server already answers
  // (a million take a while): reads go to the store, and commands are
  // decided at once (an order not loaded yet is read from the store). A load
  // that fails stops the process; what it acknowledged meanwhile is stored.
  const auto load_start = std::chrono::steady_clock::now();
  if (!opts.read_only)
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
    so.port = port;  // the standby's own, if it waited: the same port
    so.auth.requests_per_second = opts.requests_per_session;
    so.auth.idle = opts.session_idle_seconds * core::kSecond;
    so.read_timeout = std::chrono::seconds(opts.read_timeout_seconds);
    so.ws_idle_timeout = std::chrono::seconds(opts.ws_idle_seconds);
    so.web_root = opts.web_dir;
    so.ws_queue_bytes = static_cast<std::size_t>(opts.ws_queue_bytes);
    so.auth.absolute = opts.session_max_seconds * core::kSecond;
    server::Services services{engine, *store, clock, current_rules, {}, opts.read_only};
    if (!opts.config_dir.empty()) services.reload = reload;
    server = std::make_unique<server::Server>(ioc, services, so);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  // 跨域转办: deliveries to other platforms, from the store, until acknowledged.
  std::unique_ptr<Outbox> outbox;
  if (!opts.config_dir.empty() && !opts.read_only)
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
  if (sim_clock && opts.simulate_per_day > 0 && !opts.read_only) {
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
  if (opts.read_only)
    spdlog::info("read-only replica on {}: reads from the store, 503 for every change",
                 db::db_label(opts.db_path));
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
