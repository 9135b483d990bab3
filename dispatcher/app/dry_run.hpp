// Dry runs for administrators: try rules without touching a live system.
//
//   huying route --config DIR < requests.jsonl
// reads one request per line (JSON: id, kind, urgency, category, address,
// text, optional area and point) and prints one JSON line per request with
// the placement (area, confidence, evidence, candidates), the route
// (department, assist, rule, reason), the emergency cue (null or line and
// words) and whether it would be dispatched without the desk.
#pragma once

#include <boost/json/object.hpp>
#include <iosfwd>
#include <string>

#include "dispatcher/core/routing.hpp"

namespace huying::app {

// The answer for one request line (already parsed). A request with a bad
// field gets {"id": ..., "error": {"field": ..., "reason": ...}}.
boost::json::object route_request(const core::RuleSet& rules, const boost::json::object& request);

//   huying replay --config DIR --db FILE --from DATE --to DATE [--all]
// re-routes the orders created in the window (as their operators logged
// them) under the rules in DIR and prints one JSON line per order whose
// placement or route would change, then a summary: rules tried on past
// orders before a SIGHUP puts them live.
struct ReplayOptions {
  std::string config_dir;
  std::string db_path;
  std::string from, to;   // YYYY-MM-DD, inclusive, Asia/Shanghai
  bool all = false;       // print unchanged orders too
  std::string db_schema;  // PostgreSQL: the district's schema
};
int replay(const ReplayOptions& opts, std::ostream& out);

// Reads requests from `in`, writes answers to `out`. Returns the exit code:
// 0, or 1 when any line was refused (its answer says why), 2 for a bad config.
int route_lines(const std::string& config_dir, std::istream& in, std::ostream& out);

}  // namespace huying::app
