// `huying simulate`: the engine and the store on a simulated clock, driven by
// the traffic simulator (simulator.hpp); prints its report.
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <sstream>
#include <thread>

#include "db/pg_store.hpp"
#include "db/store.hpp"
#include "dispatcher/app/report.hpp"
#include "dispatcher/app/rules.hpp"
#include "dispatcher/app/serve.hpp"
#include "dispatcher/app/simulator.hpp"
#include "dispatcher/core/clock.hpp"
#include "dispatcher/engine/engine.hpp"
#include "dispatcher/engine/reports.hpp"

namespace huying::app {

int simulate(const SimulateOptions& opts) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (std::sscanf(opts.from.c_str(), "%d-%u-%u", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 ||
      d > 31) {
    spdlog::error("simulate: --from must be YYYY-MM-DD, not '{}'", opts.from);
    return 2;
  }
  auto loaded = load_rules(opts.config_dir);
  for (const auto& e : loaded.errors) spdlog::error("config: {}", e.to_string());
  if (!loaded.ok()) return 2;
  const auto& rules = loaded.rules;
  // PostgreSQL: it writes like a dispatcher, so only with the district's
  // lease (never beside a running one).
  std::shared_ptr<db::PgLease> lease;
  if (db::is_pg_url(opts.db_path)) {
    std::string why;
    lease = db::try_lease({.url = opts.db_path, .schema = ""}, why);
    if (!lease) {
      spdlog::error("simulate: {}: stop the dispatcher, or simulate into another database", why);
      return 1;
    }
  }
  std::unique_ptr<db::Store> store = open_store(opts.db_path, "", lease);
  if (!store) return 1;
  const core::Millis from = core::shanghai_time({y, m, d}, 8, 0);
  std::unique_ptr<core::Clock> clock;
  if (opts.speed > 0)
    clock = std::make_unique<core::SimClock>(from, opts.speed);
  else
    clock = std::make_unique<core::FakeClock>(from);
  core::NaturalSlaPolicy fallback;

  boost::asio::io_context ioc;
  auto work = boost::asio::make_work_guard(ioc);
  engine::Engine engine(ioc, *store, {.clock = clock.get(), .sla = &fallback, .rules = rules});
  engine.start();
  std::thread io([&] { ioc.run(); });
  SimOptions so;
  so.from = from;
  so.days = opts.days;
  so.per_day = opts.per_day;
  so.speed = opts.speed;
  so.seed = opts.seed;
  auto report = app::simulate(engine, *store, *clock, rules, so);
  engine.stop();
  work.reset();
  io.join();
  std::printf("simulated %d days from %s at %d orders/day on %s (store %s)\n%s", opts.days,
              opts.from.c_str(), opts.per_day, loaded.deployment->name.c_str(),
              db::db_label(opts.db_path).c_str(), report.to_string().c_str());
  // The KPIs as the reports compute them, from the event log of the window.
  std::ostringstream kpis;
  print_report(kpis, engine::compute_kpis(*store, from, from + opts.days * core::kDay),
               core::KpiGroup::department, false, from, from + opts.days * core::kDay);
  const std::string text = kpis.str();
  std::printf("KPIs from the event log:\n%s", text.substr(0, text.find("\nby ")).c_str());
  std::printf("\n");
  return 0;
}

}  // namespace huying::app
