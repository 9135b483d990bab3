// `huying route`: one JSON answer per request line, in the documented shape.
#include "dispatcher/app/dry_run.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "db/store.hpp"
#include "dispatcher/app/rules.hpp"
#include "dispatcher/core/workflow.hpp"
#include "unit/temp_dir.hpp"
#include "unit/test_support.hpp"

namespace json = boost::json;

TEST_CASE("route dry run: placement, route, cue and auto_dispatch for each request line") {
  std::ifstream in(std::string(HUYING_SOURCE_DIR) + "/tests/data/route/requests.jsonl");
  REQUIRE(in);
  std::ostringstream out;
  int rc = huying::app::route_lines(std::string(HUYING_SOURCE_DIR) + "/config/example", in, out);
  CHECK(rc == 1);  // the last line is refused (and says why); the others are answered
  std::istringstream lines(out.str());
  std::map<std::string, json::object> by_id;
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    ++n;
    auto v = json::parse(line).as_object();
    by_id[std::string(v.at("id").as_string())] = v;
  }
  CHECK(n == 6);  // the blank line is skipped

  auto& road = by_id.at("road");
  CHECK(road.at("placement").at("area").as_string() == "440699001004");
  CHECK(road.at("placement").at("confidence").as_string() == "confident");
  CHECK(road.at("placement").at("evidence").as_array().size() == 1);
  CHECK(road.at("placement").at("candidates").as_array().size() == 1);
  CHECK(road.at("route").at("department").as_string() == "cg-gy");
  CHECK(road.at("route").at("assist").as_array().empty());
  CHECK(road.at("route").at("rule").as_string() == "local:urban_management");
  CHECK_FALSE(road.at("route").at("reason").as_string().empty());
  CHECK(road.at("cue").is_null());
  CHECK(road.at("auto_dispatch").as_bool());

  auto& bank = by_id.at("bank");
  CHECK(bank.at("placement").at("confidence").as_string() == "weak");
  CHECK(bank.at("placement").at("candidates").at(0).at("area").as_string() == "440699011004");
  CHECK_FALSE(bank.at("auto_dispatch").as_bool());

  auto& fire = by_id.at("fire");
  CHECK(fire.at("cue").at("line").as_string() == "119");
  CHECK(fire.at("cue").at("words").as_array().size() == 2);
  CHECK_FALSE(fire.at("auto_dispatch").as_bool());

  auto& outside = by_id.at("outside");
  CHECK(outside.at("placement").at("confidence").as_string() == "outside");
  CHECK(outside.at("route").at("department").as_string() == "");
  CHECK(outside.at("route").at("rule").as_string() == "review:outside");

  auto& point = by_id.at("point");
  CHECK(point.at("placement").at("matched_by").as_string() == "polygon");
  CHECK(point.at("placement").at("area").as_string() == "440699001001");

  auto& bad = by_id.at("bad");
  CHECK(bad.at("error").at("field").as_string() == "kind");
}

TEST_CASE("replay: an override added to the config shows which past orders would go elsewhere") {
  namespace fs = std::filesystem;
  huying::test::TempDir dir;
  const fs::path src(HUYING_SOURCE_DIR);
  // The example config beside its holiday data, as shipped, plus one override.
  fs::create_directories(dir.file("config"));
  fs::copy(src / "config/example", dir.file("config/example"), fs::copy_options::recursive);
  fs::copy(src / "config/holidays", dir.file("config/holidays"), fs::copy_options::recursive);
  {
    std::ofstream r(dir.file("config/example/routing.yaml"), std::ios::app);
    r << "  - name: 桂园占道改由住建\n    category: 城市管理/市容环境/占道经营\n    area: "
         "\"440699001000\"\n    lead: zj\n";
  }
  // Two past orders: one in 桂园街道 (changes), one in 东湖街道 (does not).
  auto rules = huying::app::load_rules(std::string(HUYING_SOURCE_DIR) + "/config/example");
  REQUIRE(rules.ok());
  {
    auto store = huying::db::open_sqlite_store({.path = dir.file("r.db")});
    huying::core::NaturalSlaPolicy sla;
    std::int64_t id = 0;
    for (const char* address : {"桂澜路88号", "翠湖公馆3座"}) {
      json::object args{{"kind", "complaint"},
                        {"category", "城市管理/市容环境/占道经营"},
                        {"description", "占道经营"},
                        {"address", address}};
      auto in = huying::core::assess_intake(*rules.rules, args);
      huying::core::DecideContext ctx;
      ctx.now = huying::test::kT0;
      ctx.sla = &sla;
      ctx.allocate = [&] {
        ++id;
        return std::pair<std::int64_t, std::string>{id, "HY2025120100000" + std::to_string(id)};
      };
      auto d = huying::core::decide(nullptr, {huying::core::CommandType::create, args},
                                    huying::test::op, ctx);
      REQUIRE(d.ok());
      d.events[0].data["placement"] = huying::core::to_json(in.placement);
      d.events[0].data["route"] = huying::core::to_json(in.route);
      huying::db::Batch b;
      b.changes.resize(1);
      huying::core::apply(b.changes[0].order, d.events[0]);
      b.changes[0].events = d.events;
      store->submit(std::move(b), nullptr);
    }
    store->flush();
  }
  huying::app::ReplayOptions ro{dir.file("config/example"), dir.file("r.db"), "2025-12-01",
                                "2025-12-01", false};
  std::ostringstream out;
  REQUIRE(huying::app::replay(ro, out) == 0);
  std::istringstream lines(out.str());
  std::string line;
  std::vector<json::object> rows;
  while (std::getline(lines, line)) rows.push_back(json::parse(line).as_object());
  REQUIRE(rows.size() == 2);  // the changed order, then the summary
  CHECK(rows[0].at("number").as_string() == "HY20251201000001");
  CHECK(rows[0].at("route").at("old").at("department").as_string() == "cg-gy");
  CHECK(rows[0].at("route").at("new").at("department").as_string() == "zj");
  CHECK(rows[0].at("route").at("new").at("rule").as_string() == "override:桂园占道改由住建");
  CHECK(rows[1].at("summary").at("orders").as_int64() == 2);
  CHECK(rows[1].at("summary").at("route_changed").as_int64() == 1);
}
