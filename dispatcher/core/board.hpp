// The leaders' live board (领导大屏, a 一网统管 screen): counts by state,
// department, street and category; today's intake and closures per hour
// beside the same weekday last week; 黄灯, 红灯 and 督办 lists; today's KPIs;
// rankings of departments and streets; 高频 hot spots; the map's figures per
// street; a ticker of the latest events. Built from committed events alone,
// one change at a time, so the same code serves the live board (fed as
// commits complete) and its replay at a past instant (fed from the event
// log). Nothing personal: no caller, phone, ID or description ever enters it.
// Pure: no clock (the caller moves it with set_now), no I/O, one thread.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dispatcher/core/kpi.hpp"
#include "dispatcher/core/order.hpp"

namespace huying::core {

struct BoardOptions {
  // The street code of an area code ("" when not below a street).
  std::function<std::string(std::string_view)> street_of;
  std::size_t list_size = 50;    // most urgent orders shown per list
  std::size_t ticker_size = 30;  // latest events shown
  std::size_t hot_spots = 10;    // community x category pairs shown
  int hot_spot_days = 7;         // ... counted over the last days (today included)
  std::size_t ranked = 5;        // red and black list length
};

class Board {
 public:
  explicit Board(BoardOptions o);

  // One committed change of one order: the order just before it (a default
  // order for a creation) and the events it appended, oldest first. With
  // track_open false only the day's figures (intake, closures, KPIs, hot
  // spots, ticker) count the events: the order's current state came in by
  // add_open already (a restart: open orders, then recent histories).
  // Returns the order after the change.
  WorkOrder add_change(WorkOrder before, const std::vector<Event>& events, bool track_open = true);
  // An order open now, its history unknown (a restart's loaded orders).
  void add_open(const WorkOrder& o);
  // Moves the board's clock: "today" is its day in Asia/Shanghai.
  void set_now(Millis now);
  Millis now() const { return now_; }

  // Everything, as of the last delta taken: {"type": "snapshot", "seq", ...}.
  // Take a delta first so nothing is pending.
  boost::json::object snapshot();
  // What changed since the last delta (or the start): {"type": "delta",
  // "seq" (one more than the last), and only the sections or keys that
  // changed; lists as upserts and removals; new ticker lines}; nullopt
  // when nothing did.
  std::optional<boost::json::object> take_delta();
  std::uint64_t seq() const { return seq_; }
  std::size_t open_orders() const { return open_.size(); }

 private:
  struct Open {  // what the board keeps of an open order
    Status status = Status::received;
    std::string lead, street, community, category;  // category: its top level
    std::uint16_t flags = 0;
    bool supervised = false;
    Millis due = 0;  // the deadline its state runs against
    Millis created_at = 0;
    int dispatched_day = 0;  // day index of the dispatch (for today's claim figures)
  };
  struct Tally {
    long open = 0, warned = 0, overdue = 0;
  };
  struct Day {
    std::array<long, 24> intake{}, closed{};
    std::map<std::pair<std::string, std::string>, long> created;  // (community, category)
    Kpi kpi;
    explicit Day(std::function<std::string(std::string_view)> street_of)
        : kpi(std::move(street_of)) {}
  };
  struct Tick {
    Millis at;
    std::string number;
    std::uint32_t seq;
    EventType type;
    std::string dept, street, category;
  };
  using ListKey = std::pair<Millis, std::string>;  // (deadline, number)
  enum ListId { kRed, kYellow, kSupervised, kLists };

  Open summary(const WorkOrder& o) const;
  void count(const std::string& number, const Open& o, int sign);
  Day& day(Millis at);
  // Intake, closures and the hot-spot pairs of the event's day.
  void count_day(const WorkOrder& after, const Event& e, bool closes);
  std::string community_of(const std::string& area) const;
  void drop_old_days();
  boost::json::object view();  // every section, as now
  boost::json::value list_item(const std::string& number) const;
  static boost::json::object tick_json(const Tick& t);
  static bool overdue(const Open& o);
  static bool warned(const Open& o);

  BoardOptions opts_;
  Millis now_ = 0;
  std::unordered_map<std::string, Open> open_;
  std::map<std::string, long> by_status_;
  std::map<std::string, Tally> by_dept_, by_street_, by_category_;
  Tally total_;
  long supervised_ = 0;
  // Today's claim figures: dispatched on a day, not claimed, not yet overdue
  // (pending), and replies overdue on open orders, by group (see Kpi::add_open).
  std::map<int, std::map<std::string, long>> pending_dept_, pending_street_;
  std::map<int, long> pending_total_;
  std::map<std::string, long> late_dept_, late_street_;
  long late_total_ = 0;
  std::map<int, Day> days_;
  std::array<std::set<ListKey>, kLists> lists_;
  std::deque<Tick> ticker_;
  std::uint64_t ticks_ = 0;  // ticker lines ever added
  bool dirty_ = true;

  // The last published view (deltas are computed against it).
  std::uint64_t seq_ = 0;
  boost::json::object last_;
  std::array<std::map<std::string, boost::json::value>, kLists> last_lists_;
  std::uint64_t last_ticks_ = 0;
};

// A division code's street: its first 9 digits (district 6 + street 3), then
// "000"; "" when the code is not below a street.
std::string street_of_code(std::string_view area);

// Day index (days since 1970-01-01 in Asia/Shanghai) and its start (UTC ms).
int board_day(Millis at);
Millis board_day_start(int day);

}  // namespace huying::core
