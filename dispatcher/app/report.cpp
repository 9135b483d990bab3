#include "dispatcher/app/report.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "dispatcher/app/rules.hpp"
#include "dispatcher/core/clock.hpp"

namespace huying::app {

namespace json = boost::json;
using core::KpiGroup;

namespace {

// A division code's street: its first 9 digits (district 6 + street 3).
std::string street_of(std::string_view area) {
  if (area.size() != 12 || area.substr(6, 3) == "000") return {};
  return std::string(area.substr(0, 9)) + "000";
}

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

json::object rate_json(const core::Rate& r) {
  return {{"num", r.num}, {"den", r.den}, {"rate", r.rate()}};
}

json::object counts_json(const core::KpiCounts& c) {
  core::KpiRates r = core::rates(c);
  return {{"orders", c.orders},
          {"dispatched", c.dispatched},
          {"response_rate", rate_json(r.response)},
          {"claim_on_time_rate", rate_json(r.claim_on_time)},
          {"reply_on_time_rate", rate_json(r.reply_on_time)},
          {"solved_rate", rate_json(r.solved)},
          {"satisfied_rate", rate_json(r.satisfied)},
          {"return_rate", rate_json(r.returned)},
          {"reopen_rate", rate_json(r.reopened)},
          {"whistle_rate", rate_json(r.whistled)},
          {"call_to_dispatch_minutes", r.call_to_dispatch_minutes},
          {"unreachable", c.unreachable}};
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

core::Kpi compute_kpis(db::Store& store, core::Millis from, core::Millis to) {
  core::KpiReport rep(street_of, from, to);
  store.for_each_history(from, to, [&](std::vector<core::Event>& h) { rep.add_history(h); });
  return rep.kpi();
}

void print_report(std::ostream& out, const core::Kpi& kpi, KpiGroup by, bool as_json,
                  core::Millis from, core::Millis to) {
  const char* by_name = by == KpiGroup::department ? "department"
                        : by == KpiGroup::street   ? "street"
                                                   : "category";
  if (as_json) {
    json::array groups;
    for (const auto& [key, c] : kpi.by(by)) {
      json::object g = counts_json(c);
      g["key"] = key;
      groups.push_back(std::move(g));
    }
    json::object doc{{"from", from},
                     {"to", to},
                     {"by", by_name},
                     {"total", counts_json(kpi.total())},
                     {"groups", std::move(groups)}};
    out << json::serialize(doc) << "\n";
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
  KpiGroup by;
  if (opts.by == "department")
    by = KpiGroup::department;
  else if (opts.by == "street")
    by = KpiGroup::street;
  else if (opts.by == "category")
    by = KpiGroup::category;
  else {
    std::cerr << "huying report: --by must be department, street or category\n";
    return 2;
  }
  if (opts.db_path.empty() || !std::filesystem::exists(opts.db_path)) {
    std::cerr << "huying report: no store at '" << opts.db_path << "'\n";
    return 1;
  }
  auto store = open_store(opts.db_path);
  if (!store) return 1;
  core::Kpi kpi = compute_kpis(*store, *from, *to);
  if (!opts.json)
    std::cout << "KPIs " << opts.from << " .. " << opts.to << " (" << opts.db_path << ")\n";
  print_report(std::cout, kpi, by, opts.json, *from, *to);
  return 0;
}

}  // namespace huying::app
