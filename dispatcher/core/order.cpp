#include "dispatcher/core/order.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace huying::core {

namespace json = boost::json;

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

bool WorkOrder::escalated(std::string_view rule) const {
  return std::find(escalations.begin(), escalations.end(), rule) != escalations.end();
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() <= 4) return std::string(phone.size(), '*');
  if (phone.size() < 8) return std::string(phone.size() - 2, '*') + std::string(phone.substr(phone.size() - 2));
  return std::string(phone.substr(0, 3)) + "****" + std::string(phone.substr(phone.size() - 4));
}

json::object to_json(const WorkOrder& o) {
  json::object j;
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
  j["citizen"] = {{"name", o.citizen.name}, {"phone", o.citizen.phone},
                  {"id_number", o.citizen.id_number}};
  j["placed_by"] = o.placed_by;
  j["needs_review"] = o.needs_review;
  j["placement"] = o.placement;
  j["candidates"] = strings_json(o.candidates);
  if (o.proposal) j["proposal"] = to_json(*o.proposal);
  j["status"] = name(o.status);
  json::array depts;
  for (const auto& a : o.depts) depts.push_back({{"dept", a.dept}, {"role", name(a.role)}});
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
  if (o.rating)
    j["rating"] = {{"solved", o.rating->solved},
                   {"satisfaction", name(o.rating->satisfaction)},
                   {"comment", o.rating->comment}};
  j["result"] = o.result;
  j["merged_into"] = o.merged_into;
  j["transfer_line"] = o.transfer_line;
  j["transfer_ref"] = o.transfer_ref;
  j["parent"] = o.parent;
  json::array wh;
  for (const auto& w : o.whistles)
    wh.push_back({{"dept", w.dept}, {"child", w.child}, {"due", w.due}, {"reported_at", w.reported_at}});
  j["whistles"] = std::move(wh);
  json::array es;
  for (const auto& e : o.escalations) es.push_back(json::string(e));
  j["escalations"] = std::move(es);
  json::array ces;
  for (const auto& e : o.clock_escalations) ces.push_back(json::string(e));
  j["clock_escalations"] = std::move(ces);
  j["reported_list"] = o.reported_list;
  j["hot_spot"] = o.hot_spot;
  j["sla_flags"] = o.sla_flags;
  j["version"] = o.version;
  return j;
}

namespace {

template <class E>
E enum_at(const json::object& j, std::string_view key) {
  auto v = parse<E>(j.at(key).as_string());
  if (!v) throw std::invalid_argument("bad value for " + std::string(key));
  return *v;
}

}  // namespace

std::string str_at(const json::object& j, std::string_view key) {
  auto* p = j.if_contains(key);
  return p && p->is_string() ? std::string(p->get_string()) : std::string();
}

namespace {

std::int64_t int_at(const json::object& j, std::string_view key) {
  auto* p = j.if_contains(key);
  return p ? p->to_number<std::int64_t>() : 0;
}

}  // namespace

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
  if (auto* c = j.if_contains("citizen"); c && c->is_object()) {
    const auto& cj = c->get_object();
    o.citizen = {str_at(cj, "name"), str_at(cj, "phone"), str_at(cj, "id_number")};
  }
  o.parent = str_at(j, "parent");
}

json::object to_json(const RouteProposal& p) {
  return {{"lead", p.lead},
          {"assist", strings_json(p.assist)},
          {"transfer_line", p.transfer_line},
          {"cue_words", strings_json(p.cue_words)},
          {"rule", p.rule},
          {"reason", p.reason},
          {"config_version", p.config_version}};
}

json::array strings_json(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.push_back(json::string(s));
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
    if (auto* p = j.if_contains("proposal"); p && p->is_object()) o.proposal = proposal_from_json(p->as_object());
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
    if (auto* p = j.if_contains("rating"); p && p->is_object()) {
      const auto& r = p->as_object();
      o.rating = Rating{r.at("solved").as_bool(), enum_at<Satisfaction>(r, "satisfaction"),
                        str_at(r, "comment")};
    }
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
    o.sla_flags = static_cast<std::uint8_t>(int_at(j, "sla_flags"));
    o.version = static_cast<std::uint32_t>(int_at(j, "version"));
    return o;
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("malformed order document: ") + e.what());
  }
}

}  // namespace huying::core
