// `huying report`: the KPIs over stored events for a time window, in total
// and by department, street or category, as a table or JSON.
#pragma once

#include <atomic>
#include <iosfwd>
#include <string>

#include "db/store.hpp"
#include "dispatcher/core/kpi.hpp"

namespace huying::app {

struct ReportOptions {
  std::string db_path;
  // PostgreSQL: the district's schema, or several comma-separated (a city's
  // districts on one database): then each district's total, and the KPIs of
  // them all together (the roll-up).
  std::string db_schema;
  std::string from;               // YYYY-MM-DD, Asia/Shanghai, inclusive
  std::string to;                 // YYYY-MM-DD, inclusive (the window ends at the next midnight)
  std::string by = "department";  // department | street | category
  bool json = false;
};

// Prints them: a table for people, or one JSON document.
void print_report(std::ostream& out, const core::Kpi& kpi, core::KpiGroup by, bool json,
                  core::Millis from, core::Millis to);

// Returns the exit code (2 for bad arguments, 1 when the store cannot be opened).
int report(const ReportOptions& opts);

// `huying board`: the leaders' board as of now, rebuilt from the stores
// (read only: a PostgreSQL hot standby will do). With several schemas (a
// city's districts on one database) each district's line and then the
// roll-up: all of them on one board. As text, or the board's JSON
// ({"districts": {schema: snapshot}, "all": snapshot}); --watch repeats it.
struct BoardCliOptions {
  std::string db_path;
  std::string db_schema;  // one, or several comma-separated
  bool json = false;
  double watch_seconds = 0;  // > 0: again every so often, until SIGINT
  const std::atomic<bool>* stop = nullptr;
};
int board(const BoardCliOptions& opts);

}  // namespace huying::app
