#include "dispatcher/app/report.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>
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

std::vector<std::string> split_schemas(const std::string& list) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at <= list.size();) {
    auto comma = list.find(',', at);
    if (comma == std::string::npos) comma = list.size();
    out.push_back(list.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

// One line of the board for people: the counts and today's rates.
std::string board_line(const std::string& name, const json::object& b) {
  const auto& t = b.at("totals").as_object();
  const auto& k = b.at("kpi").as_object();
  auto n = [](const json::value& v) { return static_cast<long>(v.to_number<std::int64_t>()); };
  auto rate = [](const json::value& v) {
    const auto& r = v.as_object();
    char buf[32];
    if (r.at("den").to_number<std::int64_t>() == 0)
      std::snprintf(buf, sizeof buf, "     -");
    else
      std::snprintf(buf, sizeof buf, "%5.1f%%", 100.0 * r.at("rate").to_number<double>());
    return std::string(buf);
  };
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%-14s 在办 %6ld  预警 %5ld  超期 %5ld  督办 %4ld  今日受理 %5ld  今日办结 %5ld  "
                "响应率 %s  解决率 %s  满意率 %s",
                name.c_str(), n(t.at("open")), n(t.at("warned")), n(t.at("overdue")),
                n(t.at("supervised")), n(t.at("today_intake")), n(t.at("today_closed")),
                rate(k.at("response_rate")).c_str(), rate(k.at("solved_rate")).c_str(),
                rate(k.at("satisfied_rate")).c_str());
  return buf;
}

// One or several district schemas of a store, opened for reading.
struct Districts {
  std::vector<std::unique_ptr<db::Store>> stores;
  // Each store with its district's name (the schema; "" when there is one).
  std::vector<std::pair<std::string, db::Store*>> named;

  // The checks both commands make; the exit code, or 0 when fine.
  static int check(const char* cmd, const std::string& db,
                   const std::vector<std::string>& schemas) {
    if (db.empty() || (!db::is_pg_url(db) && !std::filesystem::exists(db))) {
      std::cerr << "huying " << cmd << ": no store at '" << db << "'\n";
      return 1;
    }
    if (schemas.size() > 1 && !db::is_pg_url(db)) {
      std::cerr << "huying " << cmd << ": several --db-schema need a PostgreSQL --db\n";
      return 2;
    }
    return 0;
  }
  // Reads only: on PostgreSQL a hot standby serves them. False (the reason
  // logged) when one cannot be opened.
  bool open(const std::string& db, const std::vector<std::string>& schemas) {
    stores.clear();
    named.clear();
    for (const auto& s : schemas) {
      stores.push_back(open_store_read_only(db, s));
      if (!stores.back()) {
        stores.clear();
        named.clear();
        return false;
      }
      named.emplace_back(schemas.size() > 1 ? (s.empty() ? "public" : s) : "", stores.back().get());
    }
    return true;
  }
};

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
  const std::vector<std::string> schemas = split_schemas(opts.db_schema);
  if (int rc = Districts::check("report", opts.db_path, schemas)) return rc;
  Districts d;
  if (!d.open(opts.db_path, schemas)) return 1;
  const auto& stores = d.stores;
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
  const engine::RollUpKpis roll = engine::roll_up_kpis(all, *from, *to);
  if (opts.json) {
    json::object districts;
    for (std::size_t i = 0; i < stores.size(); ++i)
      districts[d.named[i].first] = engine::kpi_json(roll.districts[i], by, *from, *to);
    std::cout << json::serialize(json::object{{"districts", std::move(districts)},
                                              {"all", engine::kpi_json(roll.all, by, *from, *to)}})
              << "\n";
    return 0;
  }
  std::cout << "KPIs " << opts.from << " .. " << opts.to << ", " << stores.size() << " districts ("
            << db::db_label(opts.db_path) << ")\n";
  for (std::size_t i = 0; i < stores.size(); ++i)
    row(std::cout, "district " + d.named[i].first, roll.districts[i].total());
  std::cout << "\n";
  print_report(std::cout, roll.all, by, false, *from, *to);
  return 0;
}

void print_board(const BoardCliOptions& opts,
                 const std::vector<std::pair<std::string, db::Store*>>& all, core::Millis now);

int board(const BoardCliOptions& opts) {
  const std::vector<std::string> schemas = split_schemas(opts.db_schema);
  if (int rc = Districts::check("board", opts.db_path, schemas)) return rc;
  Districts d;
  if (!d.open(opts.db_path, schemas)) return 1;
  core::SystemClock clock;
  for (;;) {
    try {
      // Reopened after a failure (--watch).
      if (d.stores.empty() && !d.open(opts.db_path, schemas))
        throw std::runtime_error("cannot open the store (see above)");
      print_board(opts, d.named, clock.now());
    } catch (const std::exception& e) {
      // A standby may cancel a long read (a conflict with recovery), a link
      // may drop: with --watch, say so and try again next round.
      std::cerr << "huying board: " << e.what() << "\n";
      if (opts.watch_seconds <= 0) return 1;
      d.stores.clear();
      d.named.clear();
    }
    if (opts.watch_seconds <= 0) return 0;
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(static_cast<long>(opts.watch_seconds * 1000));
    while (std::chrono::steady_clock::now() < until) {
      if (opts.stop && opts.stop->load()) return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

void print_board(const BoardCliOptions& opts,
                 const std::vector<std::pair<std::string, db::Store*>>& all, core::Millis now) {
  {
    json::object districts;
    json::object city;
    if (all.size() > 1) {
      engine::RollUpBoards roll = engine::roll_up_boards(all, now);
      for (std::size_t i = 0; i < all.size(); ++i)
        districts[all[i].first] = std::move(roll.districts[i]);
      city = std::move(roll.all);
    } else {
      city = engine::board_at(*all[0].second, now);
    }
    if (opts.json) {
      json::object out{{"at", now}, {"all", city}};
      if (!districts.empty()) out["districts"] = std::move(districts);
      std::cout << json::serialize(out) << "\n";
    } else {
      if (opts.watch_seconds > 0) std::cout << "\033[H\033[2J";  // a fresh screen each time
      std::cout << "领导大屏 board " << city.at("day").as_string().c_str() << " ("
                << db::db_label(opts.db_path) << ")\n";
      for (const auto& [name, b] : districts) std::cout << board_line(name, b.as_object()) << "\n";
      std::cout << board_line(all.size() > 1 ? "合计 all" : "total", city) << "\n";
      const auto& streets = city.at("rankings").as_object().at("streets").as_object();
      for (const char* list : {"red", "black"}) {
        std::cout << (std::string(list) == "red" ? "红榜 streets:" : "黑榜 streets:");
        for (const auto& row : streets.at(list).as_array())
          std::cout << " " << row.at("key").as_string().c_str() << " "
                    << row.at("score").to_number<double>();
        std::cout << "\n";
      }
      std::cout << "高频 hot spots:";
      for (const auto& h : city.at("hot_spots").as_array())
        std::cout << " " << h.at("community").as_string().c_str() << "/"
                  << h.at("category").as_string().c_str() << "×"
                  << h.at("count").to_number<std::int64_t>();
      std::cout << "\n";
    }
    std::cout.flush();
  }
}

}  // namespace huying::app
