#include "dispatcher/app/report.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

#include "db/pg_store.hpp"
#include "dispatcher/app/rules.hpp"
#include "dispatcher/core/clock.hpp"
#include "dispatcher/engine/reports.hpp"

namespace huying::app {

namespace json = boost::json;
using core::KpiGroup;

namespace {

std::optional<core::Millis> parse_day(const std::string& s) {
  int y = 0;
  unsigned m = 0, d = 0;
  char extra = 0;
  if (std::sscanf(s.c_str(), "%d-%u-%u%c", &y, &m, &d, &extra) != 3 || y < 2000 || y > 2100 ||
      m < 1 || m > 12 || d < 1 || d > 31)
    return std::nullopt;
  return core::shanghai_time({y, m, d}, 0, 0);
}

std::string pct(const core::Rate& r) {
  char buf[64];
  if (r.den == 0)
    std::snprintf(buf, sizeof buf, "-");
  else
    std::snprintf(buf, sizeof buf, "%.1f%% (%ld/%ld)", 100.0 * r.rate(), r.num, r.den);
  return buf;
}

void row(std::ostream& out, const std::string& key, const core::KpiCounts& c) {
  core::KpiRates r = core::rates(c);
  char minutes[32];
  std::snprintf(minutes, sizeof minutes, "%.1f", r.call_to_dispatch_minutes);
  out << key << "\n"
      << "  工单 orders " << c.orders << ", 派单 dispatches " << c.dispatched
      << ", 派单用时 call-to-dispatch " << minutes << " min\n"
      << "  响应率 " << pct(r.response) << "  按时签收率 " << pct(r.claim_on_time)
      << "  按时办结率 " << pct(r.reply_on_time) << "\n"
      << "  解决率 " << pct(r.solved) << "  满意率 " << pct(r.satisfied) << "  回退率 "
      << pct(r.returned) << "  重办率 " << pct(r.reopened) << "  吹哨率 " << pct(r.whistled)
      << "\n";
}

}  // namespace

void print_report(std::ostream& out, const core::Kpi& kpi, KpiGroup by, bool as_json,
                  core::Millis from, core::Millis to) {
  const std::string by_name(engine::group_name(by));
  if (as_json) {
    out << json::serialize(engine::kpi_json(kpi, by, from, to)) << "\n";
    return;
  }
  row(out, "合计 total", kpi.total());
  out << "\nby " << by_name << ":\n";
  for (const auto& [key, c] : kpi.by(by)) row(out, key, c);
}

int report(const ReportOptions& opts) {
  auto from = parse_day(opts.from);
  auto to = parse_day(opts.to);
  if (!from || !to) {
    std::cerr << "huying report: --from and --to must be dates like 2025-10-01\n";
    return 2;
  }
  *to += core::kDay;  // inclusive
  if (*to <= *from) {
    std::cerr << "huying report: --to must not be before --from\n";
    return 2;
  }
  auto group = engine::parse_group(opts.by);
  if (!group) {
    std::cerr << "huying report: --by must be department, street or category\n";
    return 2;
  }
  if (opts.db_path.empty() ||
      (!db::is_pg_url(opts.db_path) && !std::filesystem::exists(opts.db_path))) {
    std::cerr << "huying report: no store at '" << opts.db_path << "'\n";
    return 1;
  }
  // Reads only: on PostgreSQL a hot standby serves it.
  std::vector<std::string> schemas;
  for (std::size_t at = 0; at <= opts.db_schema.size();) {
    auto comma = opts.db_schema.find(',', at);
    if (comma == std::string::npos) comma = opts.db_schema.size();
    schemas.push_back(opts.db_schema.substr(at, comma - at));
    at = comma + 1;
  }
  if (schemas.size() > 1 && !db::is_pg_url(opts.db_path)) {
    std::cerr << "huying report: several --db-schema need a PostgreSQL --db\n";
    return 2;
  }
  std::vector<std::unique_ptr<db::Store>> stores;
  for (const auto& s : schemas) {
    stores.push_back(open_store_read_only(opts.db_path, s));
    if (!stores.back()) return 1;
  }
  const KpiGroup by = *group;
  if (stores.size() == 1) {
    core::Kpi kpi = engine::compute_kpis(*stores[0], *from, *to);
    if (!opts.json)
      std::cout << "KPIs " << opts.from << " .. " << opts.to << " (" << db::db_label(opts.db_path)
                << ")\n";
    print_report(std::cout, kpi, by, opts.json, *from, *to);
    return 0;
  }
  // The roll-up: each district, then all of them as one.
  std::vector<db::Store*> all;
  for (auto& st : stores) all.push_back(st.get());
  core::Kpi total = engine::compute_kpis(all, *from, *to);
  if (opts.json) {
    json::object districts;
    for (std::size_t i = 0; i < stores.size(); ++i)
      districts[schemas[i]] =
          engine::kpi_json(engine::compute_kpis(*stores[i], *from, *to), by, *from, *to);
    std::cout << json::serialize(json::object{{"districts", std::move(districts)},
                                              {"all", engine::kpi_json(total, by, *from, *to)}})
              << "\n";
    return 0;
  }
  std::cout << "KPIs " << opts.from << " .. " << opts.to << ", " << stores.size() << " districts ("
            << db::db_label(opts.db_path) << ")\n";
  for (std::size_t i = 0; i < stores.size(); ++i)
    row(std::cout, "district " + schemas[i], engine::compute_kpis(*stores[i], *from, *to).total());
  std::cout << "\n";
  print_report(std::cout, total, by, false, *from, *to);
  return 0;
}

}  // namespace huying::app
