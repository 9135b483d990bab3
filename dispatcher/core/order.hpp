// WorkOrder: the current state of one work order (工单), rebuilt by applying its
// events in order (lifecycle.hpp). Events are the truth; this is a projection.
#pragma once

#include <array>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/core/types.hpp"

namespace huying::core {

// The caller. Kept with the order for the call-back; never logged.
struct Citizen {
  std::string name;
  std::string phone;
  std::string id_number;  // 身份证号, optional
};

struct Assignment {
  std::string dept;
  DeptRole role = DeptRole::lead;
};

struct Rating {
  bool solved = false;
  Satisfaction satisfaction = Satisfaction::satisfied;
  std::string comment;
};

// A caller on this order besides the first: the caller of a duplicate merged
// into it. Each is called back (回访) on their own.
struct Caller {
  std::string from;  // the merged order's number (identifies the caller)
  Citizen citizen;
  Millis at = 0;  // when they called
  bool confidential = false;
  std::optional<Rating> rating;
  bool unreachable = false;  // the call-back gave up after the configured attempts
  int attempts = 0;          // failed call-back attempts
  Millis first_attempt = 0;
  bool has_outcome() const { return rating.has_value() || unreachable; }
};

// A pending 延期 request.
struct ExtensionRequest {
  std::string reason;
  Millis requested_due = 0;
  Millis requested_at = 0;
  std::string by;
};

// What routing proposed at intake, and why (kept in the created event).
struct RouteProposal {
  std::string lead;
  std::vector<std::string> assist;
  std::string transfer_line;           // 110/119/120/122 for an emergency cue (a proposal)
  std::vector<std::string> cue_words;  // the words in the text that raised the cue
  std::string rule;
  std::string reason;
  std::string config_version;
};

enum SlaFlag : std::uint16_t {
  kClaimWarned = 1,
  kClaimOverdue = 2,
  kReplyWarned = 4,
  kReplyOverdue = 8,
  kVisitOverdue = 16,
  kAckOverdue = 32,      // 跨域转办: the other platform has not acknowledged
  kResultWarned = 64,    // 跨域转办: its result is near due
  kResultOverdue = 128,  // ... or overdue
  kVisitWarned = 256,    // 回访 near due
  kNoteWarned = 512,     // 跟踪办: the next progress note is near due
  kNoteOverdue = 1024,   // ... or overdue
};

// 积极办: an assisting department's 协办意见.
struct Opinion {
  std::string dept;
  std::string text;
  Millis at = 0;
};

// One department called in by 吹哨, with its linked order.
struct Whistle {
  std::string dept;
  std::string child;       // the linked order's number
  Millis due = 0;          // 报到 deadline
  Millis reported_at = 0;  // when it claimed the linked order (0 = not yet)
};

struct WorkOrder {
  std::int64_t id = 0;  // internal key, dense, assigned at creation
  std::string number;   // human readable, e.g. HY20261123000123
  Channel channel = Channel::hotline;
  Kind kind = Kind::consult;
  Urgency urgency = Urgency::normal;
  Mode mode = Mode::onsite;
  std::string category;  // path, e.g. "城市管理/市容环境/占道经营"
  std::string area;      // 12-digit division code of the most specific known area
  std::string address;
  std::optional<double> lat, lng;
  std::string title;
  std::string description;
  Citizen citizen;
  std::string placed_by;      // how the area was found: code | polygon | estate | landmark | road |
                              // name | alias | outside | none
  bool needs_review = false;  // placement not confident: the dispatch desk must check
  std::string
      placement;  // confidence: confident | weak | ambiguous | unknown | outside ("" before 0.2)
  std::vector<std::string> candidates;  // the places it may be in, best first (area codes)
  std::optional<RouteProposal> proposal;

  Status status = Status::received;
  std::vector<Assignment> depts;  // lead first, then assisting

  Millis created_at = 0;  // the citizen's call: the first clock; never reset
  Millis updated_at = 0;
  Millis dispatched_at = 0;
  Millis dept_since = 0;  // entered the current department: the second clock
  Millis claimed_at = 0;
  Millis replied_at = 0;
  Millis visited_at = 0;
  Millis closed_at = 0;

  // Deadlines (0 = none). Computed once by the SLA policy and stored.
  Millis claim_due = 0;
  Millis reply_due = 0;
  Millis visit_due = 0;

  std::optional<ExtensionRequest> extension;
  bool supervised = false;  // 督办
  bool difficult = false;   // 疑难件
  bool duplicate = false;   // 重复件 (merged into another)
  int return_count = 0;
  int reopen_count = 0;
  int supervise_count = 0;
  int extension_count = 0;
  std::optional<Rating> rating;
  std::string result;         // the reply text (or the at-intake answer)
  std::string merged_into;    // number of the order this was merged into
  std::string transfer_line;  // 110/119/120/122
  std::string transfer_ref;
  std::string parent;                    // for a linked (吹哨) order: the parent's number
  std::vector<Whistle> whistles;         // departments called in (吹哨)
  std::vector<std::string> escalations;  // names of the escalation rules that fired (history)
  // Time-based rules fired for the current deadlines; cleared when a deadline
  // is set anew, so a re-dispatched or reopened order is watched again.
  std::vector<std::string> clock_escalations;
  bool reported_list = false;  // on the 通报 list
  bool hot_spot = false;       // 高频: part of a repeated-complaint cluster
  // Which SLA signals have fired for the current deadlines (SlaFlag bits);
  // cleared when a deadline is set anew.
  std::uint16_t sla_flags = 0;

  // 保密: the caller asked that departments not see who called (举报).
  bool confidential = false;
  std::vector<Caller> callers;  // merged duplicates' callers, each called back
  // The first caller's call-back (回访) beside `rating`.
  bool unreachable = false;
  int callback_attempts = 0;
  Millis first_callback_at = 0;
  int redispatch_count = 0;  // 改派 by the desk (not 退单)
  // 跨域转办 out: the platform, its reference, and the clocks for its answer.
  std::string platform;
  std::string external_ref;
  Millis ack_due = 0;
  Millis acked_at = 0;
  Millis result_due = 0;
  // 跨域转办 in (channel cross_domain): where it came from; the reply goes back there.
  std::string origin_platform;
  std::string origin_ref;
  // 六办 by mode: 跟踪办's next progress note; 积极办's 协办意见; 公开办's publication;
  // 主动办 opened without a call (未诉先办): where it came from.
  Millis note_due = 0;
  Millis noted_at = 0;  // the last progress note (or the claim): the note clock's start
  std::vector<std::string> note_escalations;  // note rules fired since that note
  std::vector<Opinion> opinions;
  bool opinions_waived = false;
  bool published = false;
  std::string public_result;  // the text to publish (defaults to the result)
  std::string source;         // proactive orders: patrol | hot_spot | sensor | ...

  std::uint32_t version = 0;  // number of events applied = seq of the last one

  // The lead department, or nullptr when not dispatched.
  const std::string* lead_dept() const;
  // True when dept is assigned (lead or assisting).
  bool has_dept(std::string_view dept) const;
  bool open() const { return is_open(status); }
  bool escalated(std::string_view rule) const;
  // True when every caller (the first and each merged one) has a call-back
  // outcome: rated, or unreachable.
  bool callbacks_done() const;
  // True when there is somebody to call back (a phone or a merged caller).
  bool has_contact() const { return !citizen.phone.empty() || !callers.empty(); }
  // The assisting departments that still owe a 协办意见 (积极办).
  std::vector<std::string> missing_opinions() const;
  // True when a caller's call-back says not solved or not satisfied (重办).
  bool any_unsatisfied() const;
};

// The deadline that matters in the order's state now (claim, reply, call-back,
// or the other platform's answer), 0 when none: the store's deadline index,
// the queues' order and the pages' overdue colour all use this one.
Millis current_due(const WorkOrder& o);

// The order's yes/no flags a list may filter on, as named in its JSON form.
inline constexpr std::array<std::string_view, 7> kOrderFlags = {
    "supervised",    "difficult", "needs_review", "hot_spot",
    "reported_list", "duplicate", "confidential"};

// Full JSON form (includes the citizen's contact: for the store and for roles
// allowed to see it; redact before sending elsewhere).
boost::json::object to_json(const WorkOrder& o, boost::json::storage_ptr sp = {});
// Inverse of to_json. Throws std::invalid_argument on a malformed document.
WorkOrder order_from_json(const boost::json::value& v);

// Reads the intake fields (channel, kind, urgency, mode, category, area,
// address, lat/lng, title, description, citizen, parent) shared by a
// `created` event's data and the stored order document. Unknown enum values
// fall back to defaults.
void read_intake(const boost::json::object& j, WorkOrder& o);

// A proposal as stored (also the `route` of a created event), and back.
boost::json::object to_json(const RouteProposal& p, boost::json::storage_ptr sp = {});
RouteProposal proposal_from_json(const boost::json::object& p);
// A JSON array of strings, and the strings of an array member (non-strings skipped).
boost::json::array strings_json(const std::vector<std::string>& v,
                                boost::json::storage_ptr sp = {});
std::vector<std::string> strings_at(const boost::json::object& j, std::string_view key);
// The one way to read a member of a JSON object (commands, events, stored
// documents): a string ("" when absent or not a string), an integer (0 when
// absent or not a number), a bool (false unless true), a number (nullopt).
std::string str_at(const boost::json::object& j, std::string_view key);
std::int64_t int_at(const boost::json::object& j, std::string_view key);
bool bool_at(const boost::json::object& j, std::string_view key);
std::optional<double> number_at(const boost::json::object& j, std::string_view key);

// Masks a phone number for logs and displays: 138****5678.
std::string mask_phone(std::string_view phone);

}  // namespace huying::core
