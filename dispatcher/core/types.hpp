// Domain vocabulary of huying: the enums of DOMAIN.md and their stable code
// names (the strings stored in the event log and spoken by the API).
//
// Pure C++: no I/O. Every enum has a table of code names; name() and parse<E>()
// convert both ways. Code names are part of the stored format: never reorder or
// rename an existing one, only append.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace huying::core {

// UTC milliseconds since the Unix epoch. Calendars work in Asia/Shanghai.
using Millis = std::int64_t;
inline constexpr Millis kSecond = 1000;
inline constexpr Millis kMinute = 60 * kSecond;
inline constexpr Millis kHour = 60 * kMinute;
inline constexpr Millis kDay = 24 * kHour;
// Asia/Shanghai is UTC+8 all year (no DST since 1991).
inline constexpr Millis kShanghaiOffset = 8 * kHour;

// 受理渠道
// cross_domain: transferred in from another platform (跨域转办), with its reference.
// patrol: opened by a department or street itself (未诉先办, 主动办).
enum class Channel { hotline, web, app, wechat, grid, sensor, open311, cross_domain, patrol };
// 诉求类型: 咨询 求助 投诉 举报 建议
enum class Kind { consult, help, complaint, report, suggestion };
enum class Urgency { normal, urgent, emergency };
// 六办工作法: 立即办 主动办 上门办 跟踪办 公开办 积极办
enum class Mode { immediate, proactive, onsite, tracked, published, coordinated };
// Lifecycle states (DOMAIN.md).
enum class Status {
  received,        // 受理
  dispatched,      // 派单
  claimed,         // 签收
  returned,        // 退单
  replied,         // 办结/答复
  visited,         // 回访
  closed,          // 归档
  transferred,     // 转110/119/120/122 (closed here)
  cancelled,       // 作废 / 合并
  transferred_out  // 跨域转办: with another platform until it reports back (open)
};
enum class Role { operator_, dispatcher, clerk, coordinator, leader, admin, system };
enum class Satisfaction { satisfied, basically_satisfied, unsatisfied };
enum class DeptRole { lead, assist };  // 主办 / 协办
enum class ReturnReason { not_our_duty, wrong_area, insufficient_info, other };
enum class SuperviseLevel { urge, supervise };  // 催办 / 督办

enum class CommandType {
  create,
  answer,
  transfer_emergency,
  dispatch,
  claim,
  return_order,
  arbitrate,
  request_extension,
  decide_extension,
  note,
  reply,
  visit,
  reopen,
  close,
  supervise,
  whistle,
  merge,
  cancel,
  amend,                   // the desk corrects fields (area, category, kind, ...), with a reason
  redispatch,              // 改派: to another department; not the first one's 退单
  transfer_out,            // 跨域转办 to another platform
  external_ack,            // the other platform acknowledged, with its reference
  record_external_result,  // the other platform's result: back for 回访
  callback_failed,         // a 回访 call not answered; after enough attempts: unreachable
  assist_opinion,          // 积极办: an assisting department records its 协办意见
  waive_opinions           // 积极办: the desk lets the lead reply without them
};

enum class EventType {
  created,
  answered,
  transferred,
  dispatched,
  claimed,
  returned,
  extension_requested,
  extension_decided,
  noted,
  replied,
  visited,
  reopened,
  closed,
  supervised,
  whistled,
  merged,
  cancelled,
  escalated,  // an escalation rule fired (data.rule names it)
  reported,   // 吹哨报到: a called department reported (claimed its linked order)
  warned,     // 黄灯: a deadline is near (data.clock: claim | reply)
  overdue,    // 红灯: a deadline passed (data.clock: claim | reply | visit | ack | result)
  amended,
  redispatched,
  transferred_out,
  external_acked,
  external_result,
  callback_failed,
  caller_added,  // a merged duplicate's caller(s) joined this order: each is called back
  opinion_recorded,
  opinions_waived
};

template <class E>
struct EnumNames;

#define HUYING_ENUM_NAMES(E, ...)                      \
  template <>                                          \
  struct EnumNames<E> {                                \
    static constexpr std::array names = {__VA_ARGS__}; \
  }

using namespace std::string_view_literals;
HUYING_ENUM_NAMES(Channel, "hotline"sv, "web"sv, "app"sv, "wechat"sv, "grid"sv, "sensor"sv,
                  "open311"sv, "cross_domain"sv, "patrol"sv);
HUYING_ENUM_NAMES(Kind, "consult"sv, "help"sv, "complaint"sv, "report"sv, "suggestion"sv);
HUYING_ENUM_NAMES(Urgency, "normal"sv, "urgent"sv, "emergency"sv);
HUYING_ENUM_NAMES(Mode, "immediate"sv, "proactive"sv, "onsite"sv, "tracked"sv, "public"sv,
                  "coordinated"sv);
HUYING_ENUM_NAMES(Status, "received"sv, "dispatched"sv, "claimed"sv, "returned"sv, "replied"sv,
                  "visited"sv, "closed"sv, "transferred"sv, "cancelled"sv, "transferred_out"sv);
HUYING_ENUM_NAMES(Role, "operator"sv, "dispatcher"sv, "clerk"sv, "coordinator"sv, "leader"sv,
                  "admin"sv, "system"sv);
HUYING_ENUM_NAMES(Satisfaction, "satisfied"sv, "basically_satisfied"sv, "unsatisfied"sv);
HUYING_ENUM_NAMES(DeptRole, "lead"sv, "assist"sv);
HUYING_ENUM_NAMES(ReturnReason, "not_our_duty"sv, "wrong_area"sv, "insufficient_info"sv, "other"sv);
HUYING_ENUM_NAMES(SuperviseLevel, "urge"sv, "supervise"sv);
HUYING_ENUM_NAMES(CommandType, "create"sv, "answer"sv, "transfer_emergency"sv, "dispatch"sv,
                  "claim"sv, "return"sv, "arbitrate"sv, "request_extension"sv, "decide_extension"sv,
                  "note"sv, "reply"sv, "visit"sv, "reopen"sv, "close"sv, "supervise"sv, "whistle"sv,
                  "merge"sv, "cancel"sv, "amend"sv, "redispatch"sv, "transfer_out"sv,
                  "external_ack"sv, "record_external_result"sv, "callback_failed"sv,
                  "assist_opinion"sv, "waive_opinions"sv);
HUYING_ENUM_NAMES(EventType, "created"sv, "answered"sv, "transferred"sv, "dispatched"sv,
                  "claimed"sv, "returned"sv, "extension_requested"sv, "extension_decided"sv,
                  "noted"sv, "replied"sv, "visited"sv, "reopened"sv, "closed"sv, "supervised"sv,
                  "whistled"sv, "merged"sv, "cancelled"sv, "escalated"sv, "reported"sv, "warned"sv,
                  "overdue"sv, "amended"sv, "redispatched"sv, "transferred_out"sv,
                  "external_acked"sv, "external_result"sv, "callback_failed"sv, "caller_added"sv,
                  "opinion_recorded"sv, "opinions_waived"sv);
#undef HUYING_ENUM_NAMES

// Code name of an enum value.
template <class E>
constexpr std::string_view name(E e) {
  return EnumNames<E>::names[static_cast<std::size_t>(e)];
}

// Parses a code name; nullopt when unknown.
template <class E>
constexpr std::optional<E> parse(std::string_view s) {
  const auto& n = EnumNames<E>::names;
  for (std::size_t i = 0; i < n.size(); ++i)
    if (n[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

// "a|b|c": the accepted values, for error messages.
template <class E>
std::string choices() {
  std::string out;
  for (auto n : EnumNames<E>::names) {
    if (!out.empty()) out += '|';
    out += n;
  }
  return out;
}

// Who acts. dept is the department a clerk, coordinator or department leader
// belongs to (empty for district-wide roles); area is a coordinator's street.
struct Actor {
  std::string user;
  Role role = Role::operator_;
  std::string dept;
  std::string area;
};

enum class RejectCode {
  invalid_state,  // the order's state does not allow the command
  forbidden,      // the actor's role may not issue the command
  out_of_scope,   // the order belongs to another department / area
  missing_field,  // a required field is absent or empty
  invalid_field,  // a field has a wrong type or value
  not_found,      // the order (or a referenced one) does not exist
  conflict,       // e.g. an extension already pending
  internal,       // the system failed (store); nothing was acknowledged
  stale           // the caller acted on an older version of the order
};

struct Rejection {
  RejectCode code;
  std::string field;   // the offending field, when one is to blame
  std::string reason;  // a sentence for people (English; the UI translates codes)
};

// The open states: an order in one of these still needs somebody's action.
constexpr bool is_open(Status s) {
  return s != Status::closed && s != Status::cancelled && s != Status::transferred;
}

}  // namespace huying::core
