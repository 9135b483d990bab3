// Routing: which department leads (主办), which assist (协办), or which
// emergency line takes the call, and why. Deterministic: the same input and
// config give the same answer.
//
// Order of rules:
//   1. emergency cues in the text (fire, gas, violence, injury, crash) → 110/119/120/122
//   2. an explicit override for (category prefix, area subtree), most specific first
//   3. 属地管理: the category's department type, at the order's area, walking up
//   4. fallback: the street hub of the order's street; the district arbitration
//      seat when the order is not placed below district level
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dispatcher/core/config.hpp"
#include "dispatcher/core/escalation.hpp"
#include "dispatcher/core/jurisdiction.hpp"

namespace huying::core {

struct RouteInput {
  Kind kind = Kind::complaint;
  Urgency urgency = Urgency::normal;
  std::string category;
  std::string area;  // placed area code
  std::string text;  // title + description
};

struct Route {
  std::string lead;                 // empty when transfer_line is set
  std::vector<std::string> assist;
  std::string transfer_line;        // 110/119/120/122 for an emergency cue
  std::string rule;                 // emergency:119 | override:NAME | local:TYPE | fallback:street_hub | fallback:arbitration
  std::string matched_area;         // the area whose department was chosen
  AreaLevel matched_level = AreaLevel::district;
  std::string config_version;
  std::string reason;               // one sentence for the operator (Chinese)
};

class Router {
 public:
  // REQUIRES: a validated deployment; `d` outlives the router.
  explicit Router(const Deployment& d);

  Route route(const RouteInput& in) const;
  const AreaTree& areas() const { return tree_; }
  const Deployment& deployment() const { return d_; }
  // The department id of `type` serving exactly `area`, or nullptr.
  const Department* dept_at(const std::string& type, const std::string& area) const;
  const Department* dept(const std::string& id) const;
  const Category* category(const std::string& path) const;

 private:
  const Deployment& d_;
  AreaTree tree_;
  std::unordered_map<std::string, const Department*> by_id_;
  std::unordered_map<std::string, const Department*> by_type_area_;  // type + '\n' + area
  std::unordered_map<std::string, const Category*> categories_;
  std::unordered_map<std::string, const RoutingOverride*> overrides_;  // category + '\n' + area
  struct Cue {
    std::string keyword;  // lower-case for ASCII
    std::string line;
  };
  std::vector<Cue> cues_;
};

// Everything a running dispatcher needs from its config, swapped as one piece
// on reload: orders in flight keep the Route they were given.
struct RuleSet {
  std::shared_ptr<const Deployment> deployment;
  std::unique_ptr<Router> router;
  std::unique_ptr<Escalator> escalator;
  std::unique_ptr<ConfiguredSlaPolicy> sla;  // null without sla.yaml
  // Where a 疑难件 goes: the street hub of the order's street, or the district
  // arbitration seat when there is none or the hub itself returned it.
  std::string difficult_target(const WorkOrder& o) const;
};
std::shared_ptr<const RuleSet> make_rule_set(std::shared_ptr<const Deployment> d);

}  // namespace huying::core
