// KPIs of the 12345 service (docs/domain.md, KPIs), each with its numerator
// and denominator, per department, street and category and in total. Fed one
// event at a time with the order as it was just before the event, so the
// same code serves reports over stored events (replayed) and the live board
// (events as they commit). Pure: no clock, no I/O.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/core/lifecycle.hpp"

namespace huying::core {

struct KpiCounts {
  long orders = 0;           // created (calls and 主动办)
  long dispatched = 0;       // dispatches to a department (派单, 改派, arbitration included)
  long claimed = 0;          // ... claimed (签收)
  long claimed_on_time = 0;  // ... by the claim deadline
  long claim_pending = 0;    // not claimed, not yet due (left out of the claim rates)
  long withdrawn =
      0;  // 改派 by the desk before the claim (left out too: not the department's doing)
  long replied = 0;             // 办结 by a department
  long replied_on_time = 0;     // ... by the reply deadline
  long reply_overdue_open = 0;  // claimed, still open, past the reply deadline (counts as late)
  long rated = 0;               // call-backs with a rating (each caller)
  long solved = 0;
  long satisfied = 0;           // 满意 + 基本满意
  long unreachable = 0;         // call-backs given up
  long returned = 0;            // 退单
  long reopened = 0;            // 重办
  long whistled = 0;            // orders with a 吹哨
  long first_dispatches = 0;    // orders dispatched for the first time
  double dispatch_minutes = 0;  // summed minutes from the call to that first dispatch

  KpiCounts& operator+=(const KpiCounts& o);
};

// A rate with what it was computed from; rate() is 0 when den is 0.
struct Rate {
  long num = 0;
  long den = 0;
  double rate() const { return den ? static_cast<double>(num) / static_cast<double>(den) : 0.0; }
};

struct KpiRates {
  Rate response;       // 响应率: claimed / dispatched (known outcome)
  Rate claim_on_time;  // 按时签收率: claimed by the deadline / dispatched (known outcome)
  Rate reply_on_time;  // 按时办结率: replied on time / (replied + open and overdue)
  Rate solved;         // 解决率: solved / rated
  Rate satisfied;      // 满意率: (满意 + 基本满意) / rated
  Rate returned;       // 回退率: returns / dispatches
  Rate reopened;       // 重办率: reopened / replied
  Rate whistled;       // 吹哨率: whistled orders / orders
  double call_to_dispatch_minutes = 0;  // mean, over first dispatches
};
KpiRates rates(const KpiCounts& c);

enum class KpiGroup { department, street, category };

class Kpi {
 public:
  // street_of: the street code of an area code ("" when not below a street).
  explicit Kpi(std::function<std::string(std::string_view)> street_of);

  // Counts one event. `before` is the order just before it (a default order
  // for `created`). Events outside [from, to) are skipped by the caller.
  void add(const WorkOrder& before, const Event& e);
  // Counts an order still open at `as_of`: a claim or reply already overdue
  // counts as late; a claim not yet due is left out of the claim rates.
  void add_open(const WorkOrder& o, Millis as_of);

  const KpiCounts& total() const { return total_; }
  const std::map<std::string, KpiCounts>& by(KpiGroup g) const;

 private:
  void count(const std::string& dept, const WorkOrder& o, const std::function<void(KpiCounts&)>& f);
  void count(const std::string& dept, const std::string& area, const std::string& category,
             const std::function<void(KpiCounts&)>& f);
  std::function<std::string(std::string_view)> street_of_;
  KpiCounts total_;
  std::map<std::string, KpiCounts> dept_, street_, category_;
};

// Replays whole histories and counts the events in [from, to), then the
// orders open at `to` (a window that ends in the future counts claims not
// yet due as pending, and replies already overdue as late, at `to`).
class KpiReport {
 public:
  KpiReport(std::function<std::string(std::string_view)> street_of, Millis from, Millis to);
  void add_history(const std::vector<Event>& history);
  const Kpi& kpi() const { return kpi_; }

 private:
  Kpi kpi_;
  Millis from_, to_;
};

}  // namespace huying::core
