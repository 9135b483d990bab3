// A deployment's configuration: the district's areas, departments, categories,
// gazetteer, routing and escalation rules, and demo users, as loaded from a
// folder of YAML files (config_load.hpp). Plain data; the indexes that answer
// questions about it live in jurisdiction.hpp and routing.hpp.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/sla.hpp"
#include "dispatcher/core/types.hpp"

namespace huying::core {

// Where a config item was written, for messages that point at it.
struct SourcePos {
  std::string file;
  int line = 0;  // 1-based; 0 = unknown
};

// A deployment is one district (the usual case) or a city of districts.
enum class AreaLevel { district, street, community, city };

struct Area {
  std::string code;  // 12-digit division code
  std::string name;
  AreaLevel level = AreaLevel::community;
  std::string parent;  // empty for the district
  std::vector<std::string> aliases;
  std::vector<std::pair<double, double>> polygon;  // (lng, lat) ring, optional
  SourcePos pos;
};

struct Department {
  std::string id;
  std::string name;
  std::string type;  // e.g. urban_management, street_hub
  std::string area;  // the area it serves (district or street code)
  SourcePos pos;
};

struct Category {
  std::string path;                       // "城市管理/市容环境/占道经营"
  std::string type;                       // responsible department type (may be inherited)
  std::vector<std::string> assist_types;  // 协办 department types
  bool leaf = true;
  SourcePos pos;
};

enum class Parity { any, odd, even };

// A stretch of house numbers on a road, in one community.
struct RoadSegment {
  std::string road;
  int from = 0, to = 0;
  Parity parity = Parity::any;
  std::string community;
  SourcePos pos;
};

// A named place (estate 小区, landmark) in a community.
struct Place {
  std::string name;
  std::string community;
  SourcePos pos;
  std::string kind = "estate";  // estate | landmark (the gazetteer list it came from)
};

// An explicit routing rule for a category (prefix) in an area (subtree).
struct RoutingOverride {
  std::string name;
  std::string category;  // path prefix, whole segments
  std::string area;      // area code: applies to it and everything below
  std::string lead;
  std::vector<std::string> assist;
  SourcePos pos;
};

struct EmergencyCue {
  std::string line;  // 110 / 119 / 120 / 122
  std::vector<std::string> keywords;
  SourcePos pos;
};

// Escalation (DOMAIN.md, Escalation): a trigger and what to do when it fires.
enum class Trigger {
  not_claimed,       // dispatched, not claimed by dispatched_at + factor × claim allowance
  overdue,           // claimed, not replied by reply_due + working_days
  returned,          // returned `times` times (ping-pong)
  hot_spot,          // `count` orders of one category in one community within `days`
  unsatisfied,       // call-back says not solved or not satisfied
  callback_overdue,  // 回访 not done by visit_due + working_days
  note_overdue       // 跟踪办: no progress note by note_due + working_days
};
enum class Action {
  notify_lead,
  supervise,
  urge,
  report_list,
  mark_difficult,
  hot_spot,
  reopen,
  notify_supervisor  // the hotline's supervisor (回访 overdue)
};
template <>
struct EnumNames<Trigger> {
  static constexpr std::array names = {"not_claimed"sv, "overdue"sv,     "returned"sv,
                                       "hot_spot"sv,    "unsatisfied"sv, "callback_overdue"sv,
                                       "note_overdue"sv};
};
template <>
struct EnumNames<Action> {
  static constexpr std::array names = {"notify_lead"sv, "supervise"sv,        "urge"sv,
                                       "report_list"sv, "mark_difficult"sv,   "hot_spot"sv,
                                       "reopen"sv,      "notify_supervisor"sv};
};

// Another platform an order can be transferred to (跨域转办), or come from.
struct Platform {
  std::string code;
  std::string name;
  std::string base_url;  // where the outbox delivers (http://HOST:PORT); empty: by hand
  std::string api_key;   // the secret both sides of the link share (X-Api-Key)
  SourcePos pos;
};

// A third-party app allowed to post Open311 requests.
struct Open311Key {
  std::string key;
  std::string name;  // who holds it (the actor of its orders: open311:NAME)
  SourcePos pos;
};

struct EscalationRule {
  std::string name;
  Trigger trigger = Trigger::not_claimed;
  Action action = Action::notify_lead;
  double factor = 1.0;   // not_claimed
  int working_days = 0;  // overdue
  int times = 2;         // returned
  int count = 3;         // hot_spot
  int days = 7;          // hot_spot
  SourcePos pos;
};

struct UserConfig {
  std::string id;
  std::string name;
  Role role = Role::operator_;
  std::string dept;
  std::string area;
  std::string password;       // plain text: demos only
  std::string password_hash;  // Argon2id ($argon2id$...): real deployments
  SourcePos pos;
};

struct Deployment {
  std::string name;
  std::string version;  // routing/config version, shown in every routing reason
  std::string dir;
  std::vector<Area> areas;
  std::vector<Department> departments;
  std::vector<Category> categories;
  std::vector<RoadSegment> roads;
  std::vector<Place> places;
  std::vector<RoutingOverride> overrides;
  std::vector<EmergencyCue> emergency;
  std::string fallback_type = "street_hub";  // when no department of the type is found
  std::string arbitration_dept;              // district seat for unplaced / 疑难 orders
  bool auto_dispatch = false;  // dispatch at once when routing is sure (placed, not an emergency)
  // The province, city (and other names) the district lies in, as written at
  // the start of addresses, e.g. [广东省, 佛山市]. An address that starts with
  // another province, city or district is placed `outside`. Optional.
  std::vector<std::string> locality;
  // 跨域转办 partners (deployment.yaml `platforms`).
  std::vector<Platform> platforms;
  // 回访: a caller is unreachable after this many unanswered calls spread
  // over at least this many working days (deployment.yaml `callback`).
  int callback_attempts = 3;
  int callback_working_days = 2;
  // 六办: the default handling mode by kind, then by category (longest
  // prefix wins), and 跟踪办's note interval (deployment.yaml `modes`).
  std::map<Kind, Mode> kind_modes;
  std::vector<std::pair<std::string, Mode>> category_modes;
  int tracked_note_working_days = 5;
  std::vector<EscalationRule> escalation;
  // Deadlines in working time (sla.yaml). Absent: the natural-time stand-in.
  std::optional<SlaConfig> sla;
  std::vector<UserConfig> users;
  // Open311 GeoReport v2 (deployment.yaml `open311`): none = POST refused.
  std::string open311_jurisdiction;
  std::vector<Open311Key> open311_keys;
};

// DOMAIN.md's default escalation rules, used when escalation.yaml is absent.
std::vector<EscalationRule> default_escalation_rules();

}  // namespace huying::core
