#include "dispatcher/core/order.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

namespace huying::core {

namespace json = boost::json;

namespace {

template <class E>
E enum_at(const json::object& j, std::string_view key) {
  auto v = parse<E>(j.at(key).as_string());
  if (!v) throw std::invalid_argument("bad value for " + std::string(key));
  return *v;
}

json::object citizen_json(const Citizen& c, json::storage_ptr sp) {
  return json::object({{"name", c.name}, {"phone", c.phone}, {"id_number", c.id_number}},
                      std::move(sp));
}

// The `citizen` member of j.
Citizen citizen_from_json(const json::object& j) {
  Citizen c;
  if (auto* p = j.if_contains("citizen"); p && p->is_object()) {
    const auto& cj = p->get_object();
    c = {str_at(cj, "name"), str_at(cj, "phone"), str_at(cj, "id_number")};
  }
  return c;
}

json::object rating_json(const Rating& r, json::storage_ptr sp) {
  return json::object(
      {{"solved", r.solved}, {"satisfaction", name(r.satisfaction)}, {"comment", r.comment}},
      std::move(sp));
}

Rating rating_from_json(const json::object& r) {
  return Rating{r.at("solved").as_bool(), enum_at<Satisfaction>(r, "satisfaction"),
                str_at(r, "comment")};
}

}  // namespace

const std::string* WorkOrder::lead_dept() const {
  for (const auto& a : depts)
    if (a.role == DeptRole::lead) return &a.dept;
  return nullptr;
}

bool WorkOrder::has_dept(std::string_view dept) const {
  for (const auto& a : depts)
    if (a.dept == dept) return true;
  return false;
}

std::vector<std::string> WorkOrder::missing_opinions() const {
  std::vector<std::string> out;
  if (opinions_waived) return out;
  for (const auto& a : depts) {
    if (a.role != DeptRole::assist) continue;
    bool given = std::any_of(opinions.begin(), opinions.end(),
                             [&](const Opinion& op) { return op.dept == a.dept; });
    if (!given) out.push_back(a.dept);
  }
  return out;
}

bool WorkOrder::callbacks_done() const {
  // Nobody to call (an order a department opened itself, an anonymous call).
  if (!has_contact()) return true;
  if (!citizen.phone.empty() && !rating && !unreachable) return false;
  return std::all_of(callers.begin(), callers.end(),
                     [](const Caller& c) { return c.has_outcome(); });
}

bool WorkOrder::any_unsatisfied() const {
  auto bad = [](const std::optional<Rating>& r) {
    return r && (!r->solved || r->satisfaction == Satisfaction::unsatisfied);
  };
  return bad(rating) || std::any_of(callers.begin(), callers.end(),
                                    [&](const Caller& c) { return bad(c.rating); });
}

bool WorkOrder::escalated(std::string_view rule) const {
  return std::find(escalations.begin(), escalations.end(), rule) != escalations.end();
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() <= 4) return std::string(phone.size(), '*');
  if (phone.size() < 8)
    return std::string(phone.size() - 2, '*') + std::string(phone.substr(phone.size() - 2));
  return std::string(phone.substr(0, 3)) + "****" + std::string(phone.substr(phone.size() - 4));
}

Millis current_due(const WorkOrder& o) {
  switch (o.status) {
    case Status::dispatched:
      return o.claim_due;
    case Status::claimed:
      return o.reply_due;
    case Status::replied:
      return o.visit_due;
    case Status::transferred_out:
      return o.ack_due && !o.acked_at ? o.ack_due : o.result_due;
    default:
      return 0;
  }
}

json::object to_json(const WorkOrder& o, json::storage_ptr sp) {
  // Built in the caller's storage (a monotonic buffer when it is only to be
  // serialised), sized once: an order has about 90 members.
  json::object j(sp);
  j.reserve(96);
  j["id"] = o.id;
  j["number"] = o.number;
  j["channel"] = name(o.channel);
  j["kind"] = name(o.kind);
  j["urgency"] = name(o.urgency);
  j["mode"] = name(o.mode);
  j["category"] = o.category;
  j["area"] = o.area;
  j["address"] = o.address;
  if (o.lat) j["lat"] = *o.lat;
  if (o.lng) j["lng"] = *o.lng;
  j["title"] = o.title;
  j["description"] = o.description;
  j["citizen"] = citizen_json(o.citizen, sp);
  j["placed_by"] = o.placed_by;
  j["needs_review"] = o.needs_review;
  j["placement"] = o.placement;
  j["candidates"] = strings_json(o.candidates, sp);
  if (o.proposal) j["proposal"] = to_json(*o.proposal, sp);
  j["status"] = name(o.status);
  json::array depts(sp);
  for (const auto& a : o.depts)
    depts.push_back(json::object({{"dept", a.dept}, {"role", name(a.role)}}, sp));
  j["depts"] = std::move(depts);
  j["created_at"] = o.created_at;
  j["updated_at"] = o.updated_at;
  j["dispatched_at"] = o.dispatched_at;
  j["dept_since"] = o.dept_since;
  j["claimed_at"] = o.claimed_at;
  j["replied_at"] = o.replied_at;
  j["visited_at"] = o.visited_at;
  j["closed_at"] = o.closed_at;
  j["claim_due"] = o.claim_due;
  j["reply_due"] = o.reply_due;
  j["visit_due"] = o.visit_due;
  if (o.extension)
    j["extension"] = {{"reason", o.extension->reason},
                      {"requested_due", o.extension->requested_due},
                      {"requested_at", o.extension->requested_at},
                      {"by", o.extension->by}};
  j["supervised"] = o.supervised;
  j["difficult"] = o.difficult;
  j["duplicate"] = o.duplicate;
  j["return_count"] = o.return_count;
  j["reopen_count"] = o.reopen_count;
  j["supervise_count"] = o.supervise_count;
  j["extension_count"] = o.extension_count;
  if (o.rating) j["rating"] = rating_json(*o.rating, sp);
  j["result"] = o.result;
  j["merged_into"] = o.merged_into;
  j["transfer_line"] = o.transfer_line;
  j["transfer_ref"] = o.transfer_ref;
  j["parent"] = o.parent;
  json::array wh(sp);
  for (const auto& w : o.whistles)
    wh.push_back(json::object(
        {{"dept", w.dept}, {"child", w.child}, {"due", w.due}, {"reported_at", w.reported_at}},
        sp));
  j["whistles"] = std::move(wh);
  json::array es(sp);
  for (const auto& e : o.escalations) es.emplace_back(e);
  j["escalations"] = std::move(es);
  json::array ces(sp);
  for (const auto& e : o.clock_escalations) ces.emplace_back(e);
  j["clock_escalations"] = std::move(ces);
  j["reported_list"] = o.reported_list;
  j["hot_spot"] = o.hot_spot;
  j["sla_flags"] = o.sla_flags;
  j["confidential"] = o.confidential;
  json::array callers(sp);
  for (const auto& c : o.callers) {
    json::object cj({{"from", c.from},
                     {"citizen", citizen_json(c.citizen, sp)},
                     {"at", c.at},
                     {"confidential", c.confidential},
                     {"unreachable", c.unreachable},
                     {"attempts", c.attempts},
                     {"first_attempt", c.first_attempt}},
                    sp);
    if (c.rating) cj["rating"] = rating_json(*c.rating, sp);
    callers.push_back(std::move(cj));
  }
  j["callers"] = std::move(callers);
  j["unreachable"] = o.unreachable;
  j["callback_attempts"] = o.callback_attempts;
  j["first_callback_at"] = o.first_callback_at;
  j["redispatch_count"] = o.redispatch_count;
  j["platform"] = o.platform;
  j["external_ref"] = o.external_ref;
  j["ack_due"] = o.ack_due;
  j["acked_at"] = o.acked_at;
  j["result_due"] = o.result_due;
  j["origin_platform"] = o.origin_platform;
  j["origin_ref"] = o.origin_ref;
  j["note_due"] = o.note_due;
  j["noted_at"] = o.noted_at;
  j["note_escalations"] = strings_json(o.note_escalations, sp);
  json::array ops(sp);
  for (const auto& op : o.opinions)
    ops.push_back(json::object({{"dept", op.dept}, {"text", op.text}, {"at", op.at}}, sp));
  j["opinions"] = std::move(ops);
  j["opinions_waived"] = o.opinions_waived;
  j["published"] = o.published;
  j["public_result"] = o.public_result;
  j["source"] = o.source;
  j["version"] = o.version;
  return j;
}

std::string str_at(const json::object& j, std::string_view key) {
  auto* p = j.if_contains(key);
  return p && p->is_string() ? std::string(p->get_string()) : std::string();
}

std::int64_t int_at(const json::object& j, std::string_view key) {
  auto* p = j.if_contains(key);
  return p && p->is_number() ? p->to_number<std::int64_t>() : 0;
}

bool bool_at(const json::object& j, std::string_view key) {
  auto* p = j.if_contains(key);
  return p && p->is_bool() && p->get_bool();
}

std::optional<double> number_at(const json::object& j, std::string_view key) {
  auto* p = j.if_contains(key);
  if (!p || !p->is_number()) return std::nullopt;
  return p->to_number<double>();
}

void read_intake(const json::object& j, WorkOrder& o) {
  o.channel = parse<Channel>(str_at(j, "channel")).value_or(Channel::hotline);
  o.kind = parse<Kind>(str_at(j, "kind")).value_or(Kind::consult);
  o.urgency = parse<Urgency>(str_at(j, "urgency")).value_or(Urgency::normal);
  o.mode = parse<Mode>(str_at(j, "mode")).value_or(Mode::onsite);
  o.category = str_at(j, "category");
  o.area = str_at(j, "area");
  o.address = str_at(j, "address");
  if (auto* p = j.if_contains("lat"); p && p->is_number()) o.lat = p->to_number<double>();
  if (auto* p = j.if_contains("lng"); p && p->is_number()) o.lng = p->to_number<double>();
  o.title = str_at(j, "title");
  o.description = str_at(j, "description");
  o.citizen = citizen_from_json(j);
  o.parent = str_at(j, "parent");
  o.confidential = bool_at(j, "confidential");
  o.source = str_at(j, "source");
  if (auto* p = j.if_contains("origin"); p && p->is_object()) {
    o.origin_platform = str_at(p->get_object(), "platform");
    o.origin_ref = str_at(p->get_object(), "reference");
  }
}

json::object to_json(const RouteProposal& p, json::storage_ptr sp) {
  return json::object({{"lead", p.lead},
                       {"assist", strings_json(p.assist, sp)},
                       {"transfer_line", p.transfer_line},
                       {"cue_words", strings_json(p.cue_words, sp)},
                       {"rule", p.rule},
                       {"reason", p.reason},
                       {"config_version", p.config_version}},
                      sp);
}

json::array strings_json(const std::vector<std::string>& v, json::storage_ptr sp) {
  json::array a(std::move(sp));
  a.reserve(v.size());
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::vector<std::string> strings_at(const json::object& j, std::string_view key) {
  std::vector<std::string> out;
  if (auto* a = j.if_contains(key); a && a->is_array())
    for (const auto& x : a->get_array())
      if (x.is_string()) out.emplace_back(x.get_string());
  return out;
}

RouteProposal proposal_from_json(const json::object& p) {
  RouteProposal r;
  r.lead = str_at(p, "lead");
  r.assist = strings_at(p, "assist");
  r.transfer_line = str_at(p, "transfer_line");
  r.cue_words = strings_at(p, "cue_words");
  r.rule = str_at(p, "rule");
  r.reason = str_at(p, "reason");
  r.config_version = str_at(p, "config_version");
  return r;
}

WorkOrder order_from_json(const json::value& v) {
  try {
    const auto& j = v.as_object();
    WorkOrder o;
    o.id = int_at(j, "id");
    o.number = str_at(j, "number");
    // Strict about the enums here: a stored document must be well-formed.
    enum_at<Channel>(j, "channel");
    enum_at<Kind>(j, "kind");
    enum_at<Urgency>(j, "urgency");
    enum_at<Mode>(j, "mode");
    read_intake(j, o);
    o.placed_by = str_at(j, "placed_by");
    if (auto* p = j.if_contains("needs_review")) o.needs_review = p->as_bool();
    o.placement = str_at(j, "placement");
    o.candidates = strings_at(j, "candidates");
    if (auto* p = j.if_contains("proposal"); p && p->is_object())
      o.proposal = proposal_from_json(p->as_object());
    o.status = enum_at<Status>(j, "status");
    for (const auto& d : j.at("depts").as_array()) {
      const auto& dj = d.as_object();
      o.depts.push_back({str_at(dj, "dept"), enum_at<DeptRole>(dj, "role")});
    }
    o.created_at = int_at(j, "created_at");
    o.updated_at = int_at(j, "updated_at");
    o.dispatched_at = int_at(j, "dispatched_at");
    o.dept_since = int_at(j, "dept_since");
    o.claimed_at = int_at(j, "claimed_at");
    o.replied_at = int_at(j, "replied_at");
    o.visited_at = int_at(j, "visited_at");
    o.closed_at = int_at(j, "closed_at");
    o.claim_due = int_at(j, "claim_due");
    o.reply_due = int_at(j, "reply_due");
    o.visit_due = int_at(j, "visit_due");
    if (auto* p = j.if_contains("extension"); p && p->is_object()) {
      const auto& e = p->as_object();
      o.extension = ExtensionRequest{str_at(e, "reason"), int_at(e, "requested_due"),
                                     int_at(e, "requested_at"), str_at(e, "by")};
    }
    o.supervised = j.at("supervised").as_bool();
    o.difficult = j.at("difficult").as_bool();
    o.duplicate = j.at("duplicate").as_bool();
    o.return_count = static_cast<int>(int_at(j, "return_count"));
    o.reopen_count = static_cast<int>(int_at(j, "reopen_count"));
    o.supervise_count = static_cast<int>(int_at(j, "supervise_count"));
    o.extension_count = static_cast<int>(int_at(j, "extension_count"));
    if (auto* p = j.if_contains("rating"); p && p->is_object())
      o.rating = rating_from_json(p->as_object());
    o.result = str_at(j, "result");
    o.merged_into = str_at(j, "merged_into");
    o.transfer_line = str_at(j, "transfer_line");
    o.transfer_ref = str_at(j, "transfer_ref");
    if (auto* p = j.if_contains("whistles"))
      for (const auto& w : p->as_array()) {
        const auto& wj = w.as_object();
        o.whistles.push_back({str_at(wj, "dept"), str_at(wj, "child"), int_at(wj, "due"),
                              int_at(wj, "reported_at")});
      }
    if (auto* p = j.if_contains("escalations"))
      for (const auto& e : p->as_array()) o.escalations.emplace_back(e.as_string());
    if (auto* p = j.if_contains("clock_escalations"))
      for (const auto& e : p->as_array()) o.clock_escalations.emplace_back(e.as_string());
    if (auto* p = j.if_contains("reported_list")) o.reported_list = p->as_bool();
    if (auto* p = j.if_contains("hot_spot")) o.hot_spot = p->as_bool();
    o.sla_flags = static_cast<std::uint16_t>(int_at(j, "sla_flags"));
    // Fields added after the first release: absent in older documents.
    o.confidential = bool_at(j, "confidential");
    if (auto* p = j.if_contains("callers"); p && p->is_array())
      for (const auto& cv : p->as_array()) {
        const auto& cj = cv.as_object();
        Caller c;
        c.from = str_at(cj, "from");
        c.citizen = citizen_from_json(cj);
        c.at = int_at(cj, "at");
        c.confidential = bool_at(cj, "confidential");
        c.unreachable = bool_at(cj, "unreachable");
        c.attempts = static_cast<int>(int_at(cj, "attempts"));
        c.first_attempt = int_at(cj, "first_attempt");
        if (auto* r = cj.if_contains("rating"); r && r->is_object())
          c.rating = rating_from_json(r->as_object());
        o.callers.push_back(std::move(c));
      }
    o.unreachable = bool_at(j, "unreachable");
    o.callback_attempts = static_cast<int>(int_at(j, "callback_attempts"));
    o.first_callback_at = int_at(j, "first_callback_at");
    o.redispatch_count = static_cast<int>(int_at(j, "redispatch_count"));
    o.platform = str_at(j, "platform");
    o.external_ref = str_at(j, "external_ref");
    o.ack_due = int_at(j, "ack_due");
    o.acked_at = int_at(j, "acked_at");
    o.result_due = int_at(j, "result_due");
    o.origin_platform = str_at(j, "origin_platform");
    o.origin_ref = str_at(j, "origin_ref");
    o.note_due = int_at(j, "note_due");
    o.noted_at = int_at(j, "noted_at");
    o.note_escalations = strings_at(j, "note_escalations");
    if (auto* p = j.if_contains("opinions"); p && p->is_array())
      for (const auto& ov : p->as_array())
        o.opinions.push_back({str_at(ov.as_object(), "dept"), str_at(ov.as_object(), "text"),
                              int_at(ov.as_object(), "at")});
    o.opinions_waived = bool_at(j, "opinions_waived");
    o.published = bool_at(j, "published");
    o.public_result = str_at(j, "public_result");
    o.source = str_at(j, "source");
    o.version = static_cast<std::uint32_t>(int_at(j, "version"));
    return o;
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("malformed order document: ") + e.what());
  }
}

}  // namespace huying::core
