// `huying route`: one JSON answer per request line, in the documented shape.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "dispatcher/app/dry_run.hpp"

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
