// KPI reports over the stored event log, for `huying report` and the API.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/store.hpp"
#include "dispatcher/core/board.hpp"
#include "dispatcher/core/kpi.hpp"

namespace huying::engine {

// The KPIs of the orders in `store` over [from, to): one pass over the events.
core::Kpi compute_kpis(db::Store& store, core::Millis from, core::Millis to);
// Several stores (a city's districts): each one's KPIs and all of them
// counted as one, from one read of each store.
struct RollUpKpis {
  std::vector<core::Kpi> districts;  // in the order of `stores`
  core::Kpi all;
};
RollUpKpis roll_up_kpis(const std::vector<db::Store*>& stores, core::Millis from, core::Millis to);

// "department" | "street" | "category", and back (nullopt when unknown).
std::string_view group_name(core::KpiGroup g);
std::optional<core::KpiGroup> parse_group(std::string_view s);

// {"from", "to", "by", "total": {...}, "groups": [{"key", ...}]}: each rate
// with its numerator and denominator.
// `only`: one group's row alone, as the total too (a department leader's
// view of their own department).
boost::json::object kpi_json(const core::Kpi& kpi, core::KpiGroup by, core::Millis from,
                             core::Millis to, const std::string& only = {});
// The same as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese
// keys): one line per group, then the total.
std::string kpi_csv(const core::Kpi& kpi, core::KpiGroup by, const std::string& only = {});

// The live board's options (the same for the engine's board and replays).
core::BoardOptions board_options();
// The board as it was at `at`, rebuilt from the event log with the live
// board's code: its snapshot ({"type": "snapshot", ...}).
boost::json::object board_at(db::Store& store, core::Millis at);
// Several stores (a city's districts), each named (its schema): each one's
// board and the city's board of them all, from one read of each store.
// Order numbers restart in every district, so on the city's board they read
// "NAME/HY…".
struct RollUpBoards {
  std::vector<boost::json::object> districts;  // in the order of `stores`
  boost::json::object all;
};
RollUpBoards roll_up_boards(const std::vector<std::pair<std::string, db::Store*>>& stores,
                            core::Millis at);

// A day played back (/ws/board?from=&speed=): the board at `from`, then
// the events of [from, until) fed in time order as the caller's clock moves.
class BoardPlayback {
 public:
  BoardPlayback(db::Store& store, core::Millis from, core::Millis until);
  // The board as of the last advance (or `from`).
  boost::json::object snapshot();
  // Feeds the events before `to`; the delta, when anything changed.
  std::optional<boost::json::object> advance(core::Millis to);
  bool done() const { return next_ >= steps_.size(); }

 private:
  struct Step {
    core::Millis at;
    std::size_t order;
    core::Event event;
  };
  core::Board board_;
  std::vector<core::WorkOrder> state_;  // each order as of the last event fed
  std::vector<Step> steps_;
  std::size_t next_ = 0;
};

}  // namespace huying::engine
