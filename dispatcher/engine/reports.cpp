#include "dispatcher/engine/reports.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <functional>
#include <tuple>

#include "dispatcher/core/board.hpp"

namespace huying::engine {

namespace json = boost::json;

namespace {

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

}  // namespace

core::Kpi compute_kpis(db::Store& store, core::Millis from, core::Millis to) {
  core::KpiReport rep(core::street_of_code, from, to);
  store.for_each_history(from, to, [&](std::vector<core::Event>& h) { rep.add_history(h); });
  return rep.kpi();
}

RollUpKpis roll_up_kpis(const std::vector<db::Store*>& stores, core::Millis from, core::Millis to) {
  core::KpiReport all(core::street_of_code, from, to);
  RollUpKpis out{{}, core::Kpi(core::street_of_code)};
  for (auto* store : stores) {
    core::KpiReport one(core::street_of_code, from, to);
    store->for_each_history(from, to, [&](std::vector<core::Event>& h) {
      one.add_history(h);
      all.add_history(h);
    });
    out.districts.push_back(one.kpi());
  }
  out.all = all.kpi();
  return out;
}

std::string_view group_name(core::KpiGroup g) {
  switch (g) {
    case core::KpiGroup::department:
      return "department";
    case core::KpiGroup::street:
      return "street";
    case core::KpiGroup::category:
      return "category";
  }
  return "department";
}

std::optional<core::KpiGroup> parse_group(std::string_view s) {
  for (auto g : {core::KpiGroup::department, core::KpiGroup::street, core::KpiGroup::category})
    if (group_name(g) == s) return g;
  return std::nullopt;
}

json::object kpi_json(const core::Kpi& kpi, core::KpiGroup by, core::Millis from, core::Millis to,
                      const std::string& only) {
  json::array groups;
  core::KpiCounts only_counts;
  for (const auto& [key, c] : kpi.by(by)) {
    if (!only.empty() && key != only) continue;
    if (!only.empty()) only_counts = c;
    json::object g = counts_json(c);
    g["key"] = key;
    groups.push_back(std::move(g));
  }
  return {{"from", from},
          {"to", to},
          {"by", group_name(by)},
          {"total", counts_json(only.empty() ? kpi.total() : only_counts)},
          {"groups", std::move(groups)}};
}

namespace {
// A CSV field: quoted when it holds a comma, quote or line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void csv_row(std::string& out, const std::string& key, const core::KpiCounts& c) {
  core::KpiRates r = core::rates(c);
  char buf[512];
  std::snprintf(buf, sizeof buf, ",%ld,%ld,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.1f,%ld\r\n",
                c.orders, c.dispatched, r.response.rate(), r.claim_on_time.rate(),
                r.reply_on_time.rate(), r.solved.rate(), r.satisfied.rate(), r.returned.rate(),
                r.reopened.rate(), r.whistled.rate(), r.call_to_dispatch_minutes, c.unreachable);
  out += csv_field(key);
  out += buf;
}
}  // namespace

std::string kpi_csv(const core::Kpi& kpi, core::KpiGroup by, const std::string& only) {
  std::string out = "\xEF\xBB\xBF";  // UTF-8 BOM
  out += std::string(group_name(by)) +
         ",工单数 orders,派单数 dispatched,响应率 response,按时签收率 claim_on_time,"
         "按时办结率 reply_on_time,解决率 solved,满意率 satisfied,回退率 returned,"
         "重办率 reopened,吹哨率 whistled,派单用时(分) call_to_dispatch_minutes,"
         "联系不上 unreachable\r\n";
  core::KpiCounts only_counts;
  for (const auto& [key, c] : kpi.by(by)) {
    if (!only.empty() && key != only) continue;
    if (!only.empty()) only_counts = c;
    csv_row(out, key, c);
  }
  csv_row(out, "合计 total", only.empty() ? kpi.total() : only_counts);
  return out;
}

core::BoardOptions board_options() {
  core::BoardOptions o;
  o.street_of = core::street_of_code;
  return o;
}

namespace {

// The histories a board at `at` needs (every order open then, every event
// of the days it shows), cut at `at`, one by one.
void board_histories(db::Store& store, core::Millis at,
                     const std::function<void(std::vector<core::Event>&)>& fn) {
  const core::Millis from = core::board_day_start(core::board_day(at)) - 7 * core::kDay;
  store.for_each_history(from, at, [&](std::vector<core::Event>& h) {
    std::size_t n = 0;
    while (n < h.size() && h[n].at < at) ++n;
    h.resize(n);
    fn(h);
  });
}

json::object snapshot_of(core::Board& board) {
  board.take_delta();
  return board.snapshot();
}

}  // namespace

json::object board_at(db::Store& store, core::Millis at) {
  core::Board board(board_options());
  board.set_now(at);
  board_histories(store, at, [&](std::vector<core::Event>& h) { board.add_change({}, h); });
  return snapshot_of(board);
}

RollUpBoards roll_up_boards(const std::vector<std::pair<std::string, db::Store*>>& stores,
                            core::Millis at) {
  core::Board city(board_options());
  city.set_now(at);
  RollUpBoards out;
  for (const auto& [name, store] : stores) {
    core::Board one(board_options());
    one.set_now(at);
    board_histories(*store, at, [&, &name = name](std::vector<core::Event>& h) {
      one.add_change({}, h);
      for (auto& e : h) {
        e.order = name + "/" + e.order;
        // The creation names the order too (WorkOrder::number comes from it).
        if (auto* no = e.data.if_contains("number"); no && no->is_string())
          *no = name + "/" + std::string(no->get_string());
      }
      city.add_change({}, h);
    });
    out.districts.push_back(snapshot_of(one));
  }
  out.all = snapshot_of(city);
  return out;
}

BoardPlayback::BoardPlayback(db::Store& store, core::Millis from, core::Millis until)
    : board_(board_options()) {
  board_.set_now(from);
  const core::Millis since = core::board_day_start(core::board_day(from)) - 7 * core::kDay;
  store.for_each_history(since, until, [&](std::vector<core::Event>& h) {
    std::size_t n = 0;
    while (n < h.size() && h[n].at < from) ++n;
    std::vector<core::Event> before(h.begin(), h.begin() + static_cast<long>(n));
    const std::size_t idx = state_.size();
    state_.push_back(board_.add_change(core::WorkOrder{}, before));
    for (std::size_t i = n; i < h.size() && h[i].at < until; ++i)
      steps_.push_back({h[i].at, idx, std::move(h[i])});
  });
  std::sort(steps_.begin(), steps_.end(), [](const Step& a, const Step& b) {
    return std::tie(a.at, a.event.order, a.event.seq) < std::tie(b.at, b.event.order, b.event.seq);
  });
  board_.take_delta();
}

json::object BoardPlayback::snapshot() { return board_.snapshot(); }

std::optional<json::object> BoardPlayback::advance(core::Millis to) {
  for (; next_ < steps_.size() && steps_[next_].at < to; ++next_) {
    auto& s = steps_[next_];
    state_[s.order] = board_.add_change(std::move(state_[s.order]), {s.event});
  }
  board_.set_now(to);
  return board_.take_delta();
}

}  // namespace huying::engine
