// Workflow: what the rules add around the lifecycle. Intake (where an order
// is, who should take it, whether an emergency cue is raised) and the
// auto-dispatch decision live here, pure, so the engine, the `huying route`
// dry run and the tests share one implementation.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "dispatcher/core/escalation.hpp"
#include "dispatcher/core/jurisdiction.hpp"
#include "dispatcher/core/order.hpp"
#include "dispatcher/core/routing.hpp"

namespace huying::core {

// The intake assessment of one request.
struct Intake {
  Placement placement;
  Route route;
};

// Places and routes a create command's arguments (kind, urgency, category,
// area, address, lat/lng, title, description). A missing or unknown but
// well-formed area code is replaced in `args` by the placed area; a malformed
// one is left for decide() to refuse with a clear error.
Intake assess_intake(const RuleSet& rules, boost::json::object& args);

// 六办: the deployment's default handling mode for a call: 立即办 for urgent
// ones, else the longest matching category prefix, else by kind; nullopt
// when the deployment says nothing (the lifecycle's own default applies).
std::optional<Mode> default_mode(const Deployment& d, Kind kind, Urgency urgency,
                                 std::string_view category);

// True for a community code of the rules' area tree (高频 counts communities).
bool in_community(const RuleSet& rules, std::string_view area);

// The area routing works on: the placed area, or for an ambiguous placement
// (or a weak one left at district level) its best candidate; the desk
// confirms either way.
std::string route_area(const Placement& p);

// JSON for the created event (data.placement, data.route) and the dry run.
boost::json::object to_json(const Placement& p);
boost::json::object to_json(const Route& r);

// True when a freshly created order may be dispatched without the desk:
// auto-dispatch is on, the placement is confident, routing found a lead and
// no emergency cue waits for the operator.
bool may_auto_dispatch(const Deployment& d, const WorkOrder& o);
// The same decision before the order exists (dry runs).
bool may_auto_dispatch(const Deployment& d, const Intake& in);

// What the engine lends the follow-ups: its live orders and hot-spot window.
struct FollowUpContext {
  Millis now = 0;
  const SlaPolicy* sla = nullptr;  // REQUIRES: non-null
  const RuleSet* rules = nullptr;  // null: only the rule-free linkage (merge)
  // An open order by number (the merge target, a 吹哨 parent), or nullptr.
  std::function<const WorkOrder*(const std::string&)> find_open;
  HotSpots* hot = nullptr;  // the 高频 window, REQUIRES non-null with rules
  // A fresh decide context (auto-dispatch decides a dispatch).
  std::function<DecideContext()> decide_context;
};

// What follows from a decided command, all in the same commit:
// changes[0] holds the decided order and its events; escalation reactions
// (疑难件, 重办) and auto-dispatch are appended to it; orders it touches get
// changes of their own: the merge target (its new callers), 吹哨's linked
// orders, the 吹哨 parent (报到). Hot spots are counted on the way.
void follow_ups(std::vector<OrderChange>& changes, const FollowUpContext& ctx);

}  // namespace huying::core
