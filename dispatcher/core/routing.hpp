// Routing: which department leads (主办), which assist (协办), or which
// emergency line takes the call, and why. Deterministic: the same input and
// config give the same answer.
//
// Order of rules:
//   0. an order whose place is unknown or outside the district gets no lead:
//      the dispatch desk decides (never a district department by default)
//   1. an explicit override for (category prefix, area subtree), most specific first
//   2. 属地管理: the category's department type, at the order's area, walking up
//   3. fallback: the street hub of the order's street; the district arbitration
//      seat when the order is not placed below district level
// Beside the route, emergency cues in the text (fire, gas, violence, injury,
// crash) are proposed for transfer to 110/119/120/122 with the words that
// raised them; negated mentions (不是燃气泄漏) and past events (昨天…晕倒后)
// raise none. The operator confirms a transfer; the text alone never does.
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <memory>
#include <optional>
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
  std::string area;                              // placed area code
  std::string text;                              // title + description
  Confidence placement = Confidence::confident;  // how sure the area is
};

// An emergency cue: the proposed line and the words that raised it.
struct Cue {
  std::string line;                // 110 / 119 / 120 / 122
  std::vector<std::string> words;  // as written in the text
};

struct Route {
  std::string lead;  // empty only for review:* (the desk decides); kept beside a cue
  std::vector<std::string> assist;
  std::string transfer_line;  // the cue's line (110/119/120/122), or ""
  std::optional<Cue> cue;     // an emergency cue for the operator to confirm
  std::string rule;  // override:NAME | local:TYPE | fallback:street_hub | fallback:arbitration |
                     // review:unknown_place | review:outside
  std::string matched_area;  // the area whose department was chosen
  AreaLevel matched_level = AreaLevel::district;
  std::string config_version;
  std::string reason;  // one sentence for the operator (Chinese)
};

class Router {
 public:
  // REQUIRES: a validated deployment; `d` outlives the router.
  explicit Router(const Deployment& d);

  Route route(const RouteInput& in) const;
  // The emergency cue in a call's text, if any (see above).
  std::optional<Cue> cue(std::string_view text) const;
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
  struct CueWord {
    std::string keyword;  // lower-case for ASCII
    std::string line;
    std::size_t order;  // the line's place in routing.yaml: earlier lines win
  };
  std::vector<CueWord> cue_words_;
  PhraseMatcher cue_matcher_;  // ids index cue_words_
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
