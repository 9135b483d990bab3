#include "dispatcher/core/kpi.hpp"

namespace huying::core {

KpiCounts& KpiCounts::operator+=(const KpiCounts& o) {
  orders += o.orders;
  dispatched += o.dispatched;
  claimed += o.claimed;
  claimed_on_time += o.claimed_on_time;
  claim_pending += o.claim_pending;
  withdrawn += o.withdrawn;
  replied += o.replied;
  replied_on_time += o.replied_on_time;
  reply_overdue_open += o.reply_overdue_open;
  rated += o.rated;
  solved += o.solved;
  satisfied += o.satisfied;
  unreachable += o.unreachable;
  returned += o.returned;
  reopened += o.reopened;
  whistled += o.whistled;
  first_dispatches += o.first_dispatches;
  dispatch_minutes += o.dispatch_minutes;
  return *this;
}

KpiRates rates(const KpiCounts& c) {
  KpiRates r;
  const long known = c.dispatched - c.claim_pending - c.withdrawn;
  r.response = {c.claimed, known};
  r.claim_on_time = {c.claimed_on_time, known};
  r.reply_on_time = {c.replied_on_time, c.replied + c.reply_overdue_open};
  r.solved = {c.solved, c.rated};
  r.satisfied = {c.satisfied, c.rated};
  r.returned = {c.returned, c.dispatched};
  r.reopened = {c.reopened, c.replied};
  r.whistled = {c.whistled, c.orders};
  r.call_to_dispatch_minutes =
      c.first_dispatches ? c.dispatch_minutes / static_cast<double>(c.first_dispatches) : 0;
  return r;
}

Kpi::Kpi(std::function<std::string(std::string_view)> street_of)
    : street_of_(std::move(street_of)) {}

const std::map<std::string, KpiCounts>& Kpi::by(KpiGroup g) const {
  switch (g) {
    case KpiGroup::department:
      return dept_;
    case KpiGroup::street:
      return street_;
    case KpiGroup::category:
      return category_;
  }
  return dept_;
}

void Kpi::count(const std::string& dept, const WorkOrder& o,
                const std::function<void(KpiCounts&)>& f) {
  count(dept, o.area, o.category, f);
}

void Kpi::count(const std::string& dept, const std::string& area, const std::string& category,
                const std::function<void(KpiCounts&)>& f) {
  f(total_);
  if (!dept.empty()) f(dept_[dept]);
  std::string street = street_of_ ? street_of_(area) : std::string();
  f(street_[street.empty() ? "(未定位)" : street]);
  f(category_[category.empty() ? "(未分类)" : category]);
}

void Kpi::add(const WorkOrder& before, const Event& e) {
  const auto& d = e.data;
  auto lead = [&]() -> std::string {
    const std::string* l = before.lead_dept();
    return l ? *l : std::string();
  };
  switch (e.type) {
    case EventType::created:
      // Counted where the order is after the event: its area and category
      // as apply() takes them from the data (no order built to read two
      // strings; the board counts every create).
      count("", str_at(d, "area"), str_at(d, "category"), [](KpiCounts& c) { ++c.orders; });
      break;
    case EventType::dispatched:
    case EventType::redispatched: {
      if (e.type == EventType::redispatched && before.status == Status::dispatched)
        count(lead(), before, [](KpiCounts& c) { ++c.withdrawn; });
      // Counted where the order is after the event: a dispatch may name
      // the area (apply's confirm_place); the category stays.
      std::string area = str_at(d, "area");
      if (area.empty()) area = before.area;
      const bool first = before.dispatched_at == 0;
      const double minutes =
          static_cast<double>(e.at - before.created_at) / static_cast<double>(kMinute);
      count(str_at(d, "lead"), area, before.category, [&](KpiCounts& c) {
        ++c.dispatched;
        if (first) {
          ++c.first_dispatches;
          c.dispatch_minutes += minutes;
        }
      });
      break;
    }
    case EventType::claimed: {
      const bool on_time = before.claim_due == 0 || e.at <= before.claim_due;
      count(lead(), before, [&](KpiCounts& c) {
        ++c.claimed;
        if (on_time) ++c.claimed_on_time;
      });
      break;
    }
    case EventType::returned:
      count(lead(), before, [](KpiCounts& c) { ++c.returned; });
      break;
    case EventType::replied: {
      const bool on_time = before.reply_due == 0 || e.at <= before.reply_due;
      count(lead(), before, [&](KpiCounts& c) {
        ++c.replied;
        if (on_time) ++c.replied_on_time;
      });
      break;
    }
    case EventType::visited: {
      const bool solved = bool_at(d, "solved");
      const bool happy = str_at(d, "satisfaction") != "unsatisfied";
      count(lead(), before, [&](KpiCounts& c) {
        ++c.rated;
        if (solved) ++c.solved;
        if (happy) ++c.satisfied;
      });
      break;
    }
    case EventType::callback_failed:
      if (bool_at(d, "unreachable")) count(lead(), before, [](KpiCounts& c) { ++c.unreachable; });
      break;
    case EventType::reopened:
      count(lead(), before, [](KpiCounts& c) { ++c.reopened; });
      break;
    case EventType::whistled:
      if (before.whistles.empty()) count(lead(), before, [](KpiCounts& c) { ++c.whistled; });
      break;
    default:
      break;
  }
}

void Kpi::add_open(const WorkOrder& o, Millis as_of) {
  const std::string* l = o.lead_dept();
  const std::string dept = l ? *l : std::string();
  if (o.status == Status::dispatched && o.claim_due) {
    // Not claimed: late once due (it stays in the denominator), else pending.
    if (as_of < o.claim_due) count(dept, o, [](KpiCounts& c) { ++c.claim_pending; });
  }
  if (o.status == Status::claimed && o.reply_due && o.reply_due < as_of)
    count(dept, o, [](KpiCounts& c) { ++c.reply_overdue_open; });
}

KpiReport::KpiReport(std::function<std::string(std::string_view)> street_of, Millis from, Millis to)
    : kpi_(std::move(street_of)), from_(from), to_(to) {}

void KpiReport::add_history(const std::vector<Event>& history) {
  WorkOrder o;
  for (const auto& e : history) {
    if (e.at >= to_) break;
    if (e.at >= from_) kpi_.add(o, e);
    apply(o, e);
  }
  // Open at the end of the window: a claim or reply already overdue is late.
  if (o.version > 0 && o.open()) kpi_.add_open(o, to_);
}

}  // namespace huying::core
