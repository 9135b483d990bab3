#include "dispatcher/app/dry_run.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "db/pg_store.hpp"
#include "dispatcher/app/rules.hpp"
#include "dispatcher/core/clock.hpp"
#include "dispatcher/core/preview.hpp"
#include "dispatcher/core/workflow.hpp"

namespace huying::app {

namespace json = boost::json;

json::object route_request(const core::RuleSet& rules, const json::object& req) {
  return core::route_preview(rules, req);
}

int route_lines(const std::string& config_dir, std::istream& in, std::ostream& out) {
  auto loaded = load_rules(config_dir);
  for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
  if (!loaded.ok()) return 2;
  int refused = 0;
  std::string line;
  for (long n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    json::object answer;
    if (ec || !v.is_object()) {
      answer = {{"id", nullptr},
                {"error",
                 {{"field", ""},
                  {"reason", "line " + std::to_string(n) + " is not a JSON object" +
                                 (ec ? " (" + ec.message() + ")" : std::string())}}}};
    } else {
      answer = route_request(*loaded.rules, v.as_object());
    }
    if (answer.contains("error")) ++refused;
    out << json::serialize(answer) << "\n";
  }
  out.flush();
  return refused ? 1 : 0;
}

int replay(const ReplayOptions& opts, std::ostream& out) {
  auto day = [](const std::string& s) -> std::optional<core::Millis> {
    int y = 0;
    unsigned m = 0, d = 0;
    char extra = 0;
    if (std::sscanf(s.c_str(), "%d-%u-%u%c", &y, &m, &d, &extra) != 3 || m < 1 || m > 12 || d < 1 ||
        d > 31)
      return std::nullopt;
    return core::shanghai_time({y, m, d}, 0, 0);
  };
  auto from = day(opts.from), to = day(opts.to);
  if (!from || !to) {
    std::cerr << "huying replay: --from and --to must be dates like 2025-10-01\n";
    return 2;
  }
  *to += core::kDay;
  auto loaded = load_rules(opts.config_dir);
  for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
  if (!loaded.ok()) return 2;
  if (!db::is_pg_url(opts.db_path) && !std::filesystem::exists(opts.db_path)) {
    std::cerr << "huying replay: no store at '" << opts.db_path << "'\n";
    return 1;
  }
  // Reads only: on PostgreSQL a hot standby serves it.
  auto store = open_store_read_only(opts.db_path, opts.db_schema);
  if (!store) return 1;
  long seen = 0, placement_changed = 0, route_changed = 0;
  store->for_each_history(*from, *to, [&](std::vector<core::Event>& h) {
    if (h.empty() || h.front().type != core::EventType::created || h.front().at < *from ||
        h.front().at >= *to)
      return;
    const json::object& created = h.front().data;
    // 吹哨's linked orders were not routed: they follow their parent.
    if (!core::str_at(created, "parent").empty()) return;
    ++seen;
    // The request as the operator logged it: the area only when they gave a code.
    json::object args;
    for (const char* key : {"kind", "urgency", "category", "address", "title", "description"})
      if (auto* v = created.if_contains(key)) args[key] = *v;
    for (const char* key : {"lat", "lng"})
      if (auto* v = created.if_contains(key)) args[key] = *v;
    const json::object* old_place = nullptr;
    if (auto* p = created.if_contains("placement"); p && p->is_object())
      old_place = &p->as_object();
    if (old_place && core::str_at(*old_place, "matched_by") == "code")
      args["area"] = created.at("area");
    const json::object* old_route = nullptr;
    if (auto* r = created.if_contains("route"); r && r->is_object()) old_route = &r->as_object();

    core::Intake now = core::assess_intake(*loaded.rules, args);
    const std::string old_area =
        old_place ? core::str_at(*old_place, "area") : core::str_at(created, "area");
    const std::string old_conf = old_place ? core::str_at(*old_place, "confidence") : std::string();
    const std::string old_lead = old_route ? core::str_at(*old_route, "lead") : std::string();
    const std::string old_rule = old_route ? core::str_at(*old_route, "rule") : std::string();
    // Where it actually went: the first department it was dispatched to.
    std::string went;
    for (const auto& e : h)
      if (e.type == core::EventType::dispatched) {
        went = core::str_at(e.data, "lead");
        break;
      }
    const bool place_diff = now.placement.area != old_area ||
                            (!old_conf.empty() && old_conf != core::name(now.placement.confidence));
    const bool route_diff = now.route.lead != old_lead || now.route.rule != old_rule;
    placement_changed += place_diff;
    route_changed += route_diff;
    if (!place_diff && !route_diff && !opts.all) return;
    out << json::serialize(
               json::object{{"number", h.front().order},
                            {"placement",
                             {{"old", {{"area", old_area}, {"confidence", old_conf}}},
                              {"new",
                               {{"area", now.placement.area},
                                {"confidence", core::name(now.placement.confidence)}}}}},
                            {"route",
                             {{"old", {{"department", old_lead}, {"rule", old_rule}}},
                              {"new",
                               {{"department", now.route.lead},
                                {"rule", now.route.rule},
                                {"reason", now.route.reason}}}}},
                            {"dispatched_to", went},
                            {"changed", {{"placement", place_diff}, {"route", route_diff}}}})
        << "\n";
  });
  out << json::serialize(json::object{{"summary",
                                       {{"orders", seen},
                                        {"placement_changed", placement_changed},
                                        {"route_changed", route_changed},
                                        {"config_version", loaded.deployment->version}}}})
      << "\n";
  return 0;
}

}  // namespace huying::app
