#include "dispatcher/core/board.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace huying::core {

namespace json = boost::json;

namespace {

constexpr std::uint16_t kOverdueFlags =
    kClaimOverdue | kReplyOverdue | kVisitOverdue | kAckOverdue | kResultOverdue | kNoteOverdue;
constexpr std::uint16_t kWarnedFlags =
    kClaimWarned | kReplyWarned | kVisitWarned | kResultWarned | kNoteWarned;

const std::string kNoDept = "(未派)";
const std::string kNoStreet = "(未定位)";
const std::string kNoCategory = "(未分类)";

std::string top_category(const std::string& path) {
  auto slash = path.find('/');
  return path.substr(0, slash);
}

std::string day_name(int day) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

json::object rate_json(const Rate& r) {
  return {{"num", r.num}, {"den", r.den}, {"rate", std::round(r.rate() * 10000) / 10000}};
}

json::array hours_json(const std::array<long, 24>& h) {
  json::array a;
  for (long v : h) a.emplace_back(v);
  return a;
}

// Adds sign to m[key], dropping a key that reaches 0.
template <class Map, class Key>
void bump(Map& m, const Key& key, long sign) {
  auto& v = m[key];
  v += sign;
  if (v == 0) m.erase(key);
}

}  // namespace

std::string street_of_code(std::string_view area) {
  if (area.size() != 12 || area.substr(6, 3) == "000") return {};
  return std::string(area.substr(0, 9)) + "000";
}

int board_day(Millis at) {
  Millis local = at + kShanghaiOffset;
  return static_cast<int>(local >= 0 ? local / kDay : (local - kDay + 1) / kDay);
}

Millis board_day_start(int day) { return static_cast<Millis>(day) * kDay - kShanghaiOffset; }

Board::Board(BoardOptions o) : opts_(std::move(o)) {}

bool Board::overdue(const Open& o) { return (o.flags & kOverdueFlags) != 0; }
bool Board::warned(const Open& o) { return !overdue(o) && (o.flags & kWarnedFlags) != 0; }

Board::Open Board::summary(const WorkOrder& o) const {
  Open s;
  s.status = o.status;
  if (const std::string* l = o.lead_dept()) s.lead = *l;
  s.street = opts_.street_of ? opts_.street_of(o.area) : std::string();
  s.community = community_of(o.area);
  s.category = top_category(o.category);
  s.flags = o.sla_flags;
  s.supervised = o.supervised;
  switch (o.status) {
    case Status::dispatched:
      s.due = o.claim_due;
      s.dispatched_day = board_day(o.dept_since ? o.dept_since : o.dispatched_at);
      break;
    case Status::claimed:
      s.due = o.reply_due;
      break;
    case Status::replied:
      s.due = o.visit_due;
      break;
    default:
      s.due = 0;
  }
  s.created_at = o.created_at;
  return s;
}

void Board::count(const std::string& number, const Open& o, int sign) {
  const bool late = overdue(o), warn = warned(o);
  auto tally = [&](Tally& t) {
    t.open += sign;
    if (late) t.overdue += sign;
    if (warn) t.warned += sign;
  };
  by_status_[std::string(name(o.status))] += sign;
  tally(total_);
  tally(by_dept_[o.lead.empty() ? kNoDept : o.lead]);
  tally(by_street_[o.street.empty() ? kNoStreet : o.street]);
  tally(by_category_[o.category.empty() ? kNoCategory : o.category]);
  if (o.supervised) supervised_ += sign;
  if (o.status == Status::dispatched && !(o.flags & kClaimOverdue)) {
    bump(pending_total_, o.dispatched_day, sign);
    if (!o.lead.empty()) bump(pending_dept_[o.dispatched_day], o.lead, sign);
    bump(pending_street_[o.dispatched_day], o.street.empty() ? kNoStreet : o.street, sign);
    if (pending_dept_[o.dispatched_day].empty()) pending_dept_.erase(o.dispatched_day);
    if (pending_street_[o.dispatched_day].empty()) pending_street_.erase(o.dispatched_day);
  }
  if (o.status == Status::claimed && (o.flags & kReplyOverdue)) {
    late_total_ += sign;
    if (!o.lead.empty()) bump(late_dept_, o.lead, sign);
    bump(late_street_, o.street.empty() ? kNoStreet : o.street, sign);
  }
  const ListKey key{o.due, number};
  auto list = [&](ListId id, bool member) {
    if (!member) return;
    if (sign > 0)
      lists_[id].insert(key);
    else
      lists_[id].erase(key);
  };
  list(kRed, late);
  list(kYellow, warn);
  list(kSupervised, o.supervised);
}

void Board::add_open(const WorkOrder& o) {
  if (!o.open()) return;
  Open s = summary(o);
  auto it = open_.find(o.number);
  if (it != open_.end()) {
    count(o.number, it->second, -1);
    it->second = std::move(s);
  } else {
    it = open_.emplace(o.number, std::move(s)).first;
  }
  count(o.number, it->second, +1);
  dirty_ = true;
}

Board::Day& Board::day(Millis at) {
  const int d = board_day(at);
  auto it = days_.find(d);
  if (it == days_.end()) it = days_.emplace(d, Day(opts_.street_of)).first;
  return it->second;
}

void Board::count_day(const WorkOrder& after, const Event& e, bool closes) {
  Day& day_of = day(e.at);
  const int hour = static_cast<int>(((e.at + kShanghaiOffset) % kDay + kDay) % kDay / kHour);
  if (e.type == EventType::created) {
    ++day_of.intake[hour];
    std::string community = community_of(after.area);
    if (!community.empty()) ++day_of.created[{std::move(community), after.category}];
  }
  if (closes) ++day_of.closed[hour];
}

std::string Board::community_of(const std::string& area) const {
  // A community code: 12 digits below a street.
  const bool below = opts_.street_of && !opts_.street_of(area).empty();
  return below && area.size() == 12 && area.compare(9, 3, "000") != 0 ? area : std::string();
}

WorkOrder Board::add_change(WorkOrder before, const std::vector<Event>& events, bool track_open) {
  if (events.empty()) return before;
  WorkOrder& o = before;
  const int today = board_day(now_);
  for (const auto& e : events) {
    const bool was_open = o.version > 0 && o.open();
    // Day figures for the days shown (today and the same weekday last week,
    // and the hot-spot days): KPIs from the order before the event, intake
    // and closures from the order after it.
    const bool shown = board_day(e.at) > today - 8;
    if (shown) day(e.at).kpi.add(o, e);
    apply(o, e);
    if (shown) count_day(o, e, was_open && !o.open());
    // The ticker: what happened, where, for whom; never who called.
    const std::string* lead = o.lead_dept();
    Tick t{e.at,
           o.number,
           e.seq,
           e.type,
           lead ? *lead : std::string(),
           opts_.street_of ? opts_.street_of(o.area) : std::string(),
           top_category(o.category)};
    ticker_.push_back(std::move(t));
    ++ticks_;
  }
  // Keep the latest by time (a replay feeds order by order, not in time order).
  if (ticker_.size() > 4 * opts_.ticker_size) {
    std::sort(ticker_.begin(), ticker_.end(), [](const Tick& a, const Tick& b) {
      return std::tie(a.at, a.number, a.seq) < std::tie(b.at, b.number, b.seq);
    });
    ticker_.erase(ticker_.begin(),
                  ticker_.begin() + static_cast<long>(ticker_.size() - opts_.ticker_size));
  }
  if (track_open) {
    auto it = open_.find(o.number);
    if (it != open_.end()) {
      count(o.number, it->second, -1);
      open_.erase(it);
    }
    if (o.open()) {
      auto [at, fresh] = open_.emplace(o.number, summary(o));
      count(o.number, at->second, +1);
    }
  }
  dirty_ = true;
  return before;
}

void Board::set_now(Millis now) {
  if (board_day(now) != board_day(now_)) dirty_ = true;
  now_ = now;
  drop_old_days();
}

void Board::drop_old_days() {
  const int keep_from = board_day(now_) - 8;
  while (!days_.empty() && days_.begin()->first < keep_from) days_.erase(days_.begin());
  while (!pending_total_.empty() && pending_total_.begin()->first < keep_from - 30)
    pending_total_.erase(pending_total_.begin());  // only ever read for today
}

json::object Board::view() {
  const int today = board_day(now_);
  json::object v;
  v["day"] = day_name(today);
  const Day* d0 = days_.count(today) ? &days_.at(today) : nullptr;
  const Day* d7 = days_.count(today - 7) ? &days_.at(today - 7) : nullptr;
  long intake = 0, closed = 0;
  if (d0)
    for (int h = 0; h < 24; ++h) {
      intake += d0->intake[static_cast<std::size_t>(h)];
      closed += d0->closed[static_cast<std::size_t>(h)];
    }
  v["totals"] = {{"open", total_.open},       {"warned", total_.warned},
                 {"overdue", total_.overdue}, {"supervised", supervised_},
                 {"today_intake", intake},    {"today_closed", closed}};
  json::object status;
  for (const auto& [k, n] : by_status_)
    if (n) status[k] = n;
  v["by_status"] = std::move(status);
  auto tallies = [](const std::map<std::string, Tally>& m) {
    json::object out;
    for (const auto& [k, t] : m)
      if (t.open) out[k] = {{"open", t.open}, {"warned", t.warned}, {"overdue", t.overdue}};
    return out;
  };
  v["by_dept"] = tallies(by_dept_);
  v["by_street"] = tallies(by_street_);
  v["by_category"] = tallies(by_category_);
  std::array<long, 24> none{};
  v["hourly"] = {{"today",
                  {{"intake", hours_json(d0 ? d0->intake : none)},
                   {"closed", hours_json(d0 ? d0->closed : none)}}},
                 {"last_week",
                  {{"day", day_name(today - 7)},
                   {"intake", hours_json(d7 ? d7->intake : none)},
                   {"closed", hours_json(d7 ? d7->closed : none)}}}};

  // Today's KPIs, with today's dispatches not yet due left out of the claim
  // rates and replies overdue on open orders counted as late.
  auto counts_of = [&](const KpiCounts* c, long pending, long late) {
    KpiCounts k = c ? *c : KpiCounts{};
    k.claim_pending = pending;
    k.reply_overdue_open = late;
    return k;
  };
  auto at_or_zero = [](const std::map<std::string, long>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? 0L : it->second;
  };
  const long pending_today = pending_total_.count(today) ? pending_total_.at(today) : 0;
  KpiCounts total = counts_of(d0 ? &d0->kpi.total() : nullptr, pending_today, late_total_);
  KpiRates r = rates(total);
  v["kpi"] = {{"orders", total.orders},
              {"dispatched", total.dispatched},
              {"response_rate", rate_json(r.response)},
              {"claim_on_time_rate", rate_json(r.claim_on_time)},
              {"reply_on_time_rate", rate_json(r.reply_on_time)},
              {"solved_rate", rate_json(r.solved)},
              {"satisfied_rate", rate_json(r.satisfied)}};

  // Rankings (红黑榜): the mean of today's 响应率, 按时办结率 and 满意率 that
  // have a denominator; the red list best first, the black list worst first.
  static const std::map<std::string, long> kEmpty;
  auto ranking = [&](KpiGroup g, const std::map<std::string, long>& late,
                     const std::map<int, std::map<std::string, long>>& pending,
                     const std::map<std::string, Tally>& tally, const std::string& skip) {
    const auto& by = d0 ? d0->kpi.by(g) : std::map<std::string, KpiCounts>{};
    const auto& pend = pending.count(today) ? pending.at(today) : kEmpty;
    std::set<std::string> keys;
    for (const auto& [k, c] : by) keys.insert(k);
    for (const auto& [k, n] : late) keys.insert(k);
    struct Row {
      std::string key;
      double score;
      json::object j;
    };
    std::vector<Row> rows;
    for (const auto& k : keys) {
      if (k == skip) continue;
      auto it = by.find(k);
      KpiCounts c = counts_of(it == by.end() ? nullptr : &it->second, at_or_zero(pend, k),
                              at_or_zero(late, k));
      KpiRates kr = rates(c);
      double sum = 0;
      int n = 0;
      for (const Rate* x : {&kr.response, &kr.reply_on_time, &kr.satisfied})
        if (x->den > 0) {
          sum += x->rate();
          ++n;
        }
      if (!n) continue;
      const double score = std::round(sum / n * 1000) / 10;
      auto t = tally.find(k);
      rows.push_back({k, score,
                      json::object{{"key", k},
                                   {"score", score},
                                   {"response_rate", rate_json(kr.response)},
                                   {"reply_on_time_rate", rate_json(kr.reply_on_time)},
                                   {"satisfied_rate", rate_json(kr.satisfied)},
                                   {"overdue", t == tally.end() ? 0 : t->second.overdue}}});
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return a.score != b.score ? a.score > b.score : a.key < b.key;
    });
    json::array red, black;
    const std::size_t n_red = std::min(opts_.ranked, rows.size());
    for (std::size_t i = 0; i < n_red; ++i) red.push_back(rows[i].j);
    for (std::size_t i = rows.size(); i > n_red && black.size() < opts_.ranked; --i)
      black.push_back(rows[i - 1].j);
    return json::object{{"red", std::move(red)}, {"black", std::move(black)}};
  };
  v["rankings"] = {
      {"departments", ranking(KpiGroup::department, late_dept_, pending_dept_, by_dept_, kNoDept)},
      {"streets", ranking(KpiGroup::street, late_street_, pending_street_, by_street_, kNoStreet)}};

  // 高频: the same community and category most often over the last days.
  std::map<std::pair<std::string, std::string>, long> hot;
  for (const auto& [dn, day_of] : days_)
    if (dn > today - opts_.hot_spot_days && dn <= today)
      for (const auto& [k, n] : day_of.created) hot[k] += n;
  std::vector<std::pair<long, std::pair<std::string, std::string>>> ranked;
  for (const auto& [k, n] : hot)
    if (n >= 2) ranked.push_back({n, k});
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  json::array spots;
  for (std::size_t i = 0; i < ranked.size() && i < opts_.hot_spots; ++i)
    spots.push_back(json::object{{"community", ranked[i].second.first},
                                 {"category", ranked[i].second.second},
                                 {"count", ranked[i].first}});
  v["hot_spots"] = std::move(spots);
  return v;
}

json::value Board::list_item(const std::string& number) const {
  auto it = open_.find(number);
  if (it == open_.end()) return nullptr;
  const Open& o = it->second;
  return json::object{{"number", number},           {"status", name(o.status)},  {"dept", o.lead},
                      {"street", o.street},         {"category", o.category},    {"due", o.due},
                      {"created_at", o.created_at}, {"supervised", o.supervised}};
}

namespace {
const char* const kListNames[] = {"red", "yellow", "supervised"};
}  // namespace

json::object Board::tick_json(const Tick& t) {
  return {{"at", t.at},     {"number", t.number}, {"seq", t.seq},          {"type", name(t.type)},
          {"dept", t.dept}, {"street", t.street}, {"category", t.category}};
}

json::object Board::snapshot() {
  json::object s = view();
  s["type"] = "snapshot";
  s["seq"] = seq_;
  s["at"] = now_;
  json::object lists;
  for (int id = 0; id < kLists; ++id) {
    json::array items;
    for (const auto& [due, number] : lists_[static_cast<std::size_t>(id)]) {
      if (items.size() >= opts_.list_size) break;
      items.push_back(list_item(number));
    }
    lists[kListNames[id]] = {{"total", lists_[static_cast<std::size_t>(id)].size()},
                             {"items", std::move(items)}};
  }
  s["lists"] = std::move(lists);
  std::vector<const Tick*> ticks;
  for (const auto& t : ticker_) ticks.push_back(&t);
  std::sort(ticks.begin(), ticks.end(), [](const Tick* a, const Tick* b) {
    return std::tie(a->at, a->number, a->seq) < std::tie(b->at, b->number, b->seq);
  });
  json::array ticker;
  const std::size_t from = ticks.size() > opts_.ticker_size ? ticks.size() - opts_.ticker_size : 0;
  for (std::size_t i = from; i < ticks.size(); ++i) {
    const Tick& t = *ticks[i];
    ticker.push_back(tick_json(t));
  }
  s["ticker"] = std::move(ticker);
  return s;
}

std::optional<json::object> Board::take_delta() {
  if (!dirty_) return std::nullopt;
  dirty_ = false;
  json::object v = view();
  json::object delta;
  static const std::set<std::string> keyed = {"by_status", "by_dept", "by_street", "by_category"};
  for (const auto& kv : v) {
    const json::value* was = last_.if_contains(kv.key());
    if (was && *was == kv.value()) continue;
    if (keyed.count(std::string(kv.key())) && was && was->is_object()) {
      // Only the keys that changed; a key gone is sent as null.
      json::object changed;
      const json::object& now = kv.value().as_object();
      for (const auto& k : now)
        if (const json::value* w = was->as_object().if_contains(k.key()); !w || *w != k.value())
          changed[k.key()] = k.value();
      for (const auto& k : was->as_object())
        if (!now.contains(k.key())) changed[k.key()] = nullptr;
      delta[kv.key()] = std::move(changed);
    } else {
      delta[kv.key()] = kv.value();
    }
  }
  json::object lists;
  for (int id = 0; id < kLists; ++id) {
    const auto& set = lists_[static_cast<std::size_t>(id)];
    std::map<std::string, json::value> shown;
    for (const auto& [due, number] : set) {
      if (shown.size() >= opts_.list_size) break;
      shown.emplace(number, list_item(number));
    }
    auto& last = last_lists_[static_cast<std::size_t>(id)];
    json::array upsert, remove;
    for (const auto& [n, item] : shown)
      if (auto it = last.find(n); it == last.end() || it->second != item) upsert.push_back(item);
    for (const auto& [n, item] : last)
      if (!shown.count(n)) remove.push_back(json::string(n));
    if (!upsert.empty() || !remove.empty())
      lists[kListNames[id]] = {
          {"total", set.size()}, {"upsert", std::move(upsert)}, {"remove", std::move(remove)}};
    last = std::move(shown);
  }
  if (!lists.empty()) delta["lists"] = std::move(lists);
  if (ticks_ != last_ticks_) {
    // The lines added since the last delta that are still among the latest.
    // (At most a ticker's length: a screen shows no more.)
    const std::size_t fresh = std::min<std::uint64_t>(
        std::min<std::uint64_t>(ticks_ - last_ticks_, ticker_.size()), opts_.ticker_size);
    json::array ticker;
    for (std::size_t i = ticker_.size() - fresh; i < ticker_.size(); ++i) {
      const Tick& t = ticker_[i];
      ticker.push_back(tick_json(t));
    }
    last_ticks_ = ticks_;
    if (!ticker.empty()) delta["ticker"] = std::move(ticker);
  }
  last_ = std::move(v);
  if (delta.empty()) return std::nullopt;
  delta["type"] = "delta";
  delta["seq"] = ++seq_;
  delta["at"] = now_;
  return delta;
}

}  // namespace huying::core
