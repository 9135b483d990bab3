#include "dispatcher/core/lifecycle.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace huying::core {

namespace json = boost::json;

// ---------------------------------------------------------------------------
// Natural-time SLA stand-in (DOMAIN.md defaults, working days as days).

namespace {
Millis handling_allowance(const WorkOrder& o) {
  if (o.urgency != Urgency::normal || o.mode == Mode::immediate) return 24 * kHour;
  switch (o.kind) {
    case Kind::consult: return 2 * kDay;
    case Kind::help:
    case Kind::suggestion: return 10 * kDay;
    case Kind::complaint:
    case Kind::report: return 15 * kDay;
  }
  return 15 * kDay;
}
}  // namespace

Millis NaturalSlaPolicy::claim_due(const WorkOrder& o, Millis t) const {
  return t + (o.urgency == Urgency::normal ? 2 * kHour : 30 * kMinute);
}
Millis NaturalSlaPolicy::reply_due(const WorkOrder& o, Millis t) const {
  return t + handling_allowance(o);
}
Millis NaturalSlaPolicy::visit_due(const WorkOrder&, Millis t) const { return t + kDay; }
Millis NaturalSlaPolicy::max_extended_due(const WorkOrder& o) const {
  // At most one further allowance beyond the original one, however many
  // extensions are asked for.
  return o.claimed_at + 2 * handling_allowance(o);
}
Millis NaturalSlaPolicy::report_due(const WorkOrder&, Millis t) const { return t + 30 * kMinute; }
Millis NaturalSlaPolicy::add_working_days(Millis t, int n) const { return t + n * kDay; }

// ---------------------------------------------------------------------------
// Reading command arguments with a precise rejection for the first bad field.

namespace {

constexpr std::size_t kMaxText = 4000;
constexpr std::size_t kMaxShort = 200;

class Args {
 public:
  explicit Args(const json::object& a) : a_(a) {}

  const std::optional<Rejection>& error() const { return err_; }

  // A string field. Required ones must be non-blank.
  std::string str(std::string_view key, bool required, std::size_t max_len = kMaxShort) {
    auto* v = a_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(RejectCode::missing_field, key, "is required");
      return {};
    }
    if (!v->is_string()) {
      fail(RejectCode::invalid_field, key, "must be a string");
      return {};
    }
    std::string s(v->get_string());
    if (required && s.find_first_not_of(" \t\r\n") == std::string::npos) {
      fail(RejectCode::missing_field, key, "must not be empty");
      return {};
    }
    if (s.size() > max_len) {
      fail(RejectCode::invalid_field, key,
           "is too long (at most " + std::to_string(max_len) + " bytes)");
      return {};
    }
    return s;
  }

  template <class E>
  std::optional<E> enumeration(std::string_view key, bool required) {
    auto s = str(key, required);
    if (s.empty()) return std::nullopt;
    auto e = parse<E>(s);
    if (!e) fail(RejectCode::invalid_field, key, "must be one of " + choices<E>());
    return e;
  }

  std::optional<bool> boolean(std::string_view key, bool required) {
    auto* v = a_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(RejectCode::missing_field, key, "is required");
      return std::nullopt;
    }
    if (!v->is_bool()) {
      fail(RejectCode::invalid_field, key, "must be true or false");
      return std::nullopt;
    }
    return v->get_bool();
  }

  std::optional<std::int64_t> integer(std::string_view key, bool required) {
    auto* v = a_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(RejectCode::missing_field, key, "is required");
      return std::nullopt;
    }
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      return static_cast<std::int64_t>(v->get_uint64());
    fail(RejectCode::invalid_field, key, "must be an integer");
    return std::nullopt;
  }

  std::optional<double> number(std::string_view key, double lo, double hi) {
    auto* v = a_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_number()) {
      fail(RejectCode::invalid_field, key, "must be a number");
      return std::nullopt;
    }
    double d = v->to_number<double>();
    if (d < lo || d > hi) {
      fail(RejectCode::invalid_field, key,
           "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return std::nullopt;
    }
    return d;
  }

  // An array of non-empty, distinct strings.
  std::vector<std::string> str_list(std::string_view key, bool required) {
    std::vector<std::string> out;
    auto* v = a_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(RejectCode::missing_field, key, "is required");
      return out;
    }
    if (!v->is_array()) {
      fail(RejectCode::invalid_field, key, "must be an array of strings");
      return out;
    }
    for (const auto& e : v->get_array()) {
      if (!e.is_string() || e.get_string().empty()) {
        fail(RejectCode::invalid_field, key, "must be an array of non-empty strings");
        return {};
      }
      std::string s(e.get_string());
      if (std::find(out.begin(), out.end(), s) != out.end()) {
        fail(RejectCode::invalid_field, key, "lists " + s + " twice");
        return {};
      }
      out.push_back(std::move(s));
    }
    if (required && out.empty()) fail(RejectCode::missing_field, key, "must not be empty");
    return out;
  }

  const json::object* object(std::string_view key, bool required) {
    auto* v = a_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(RejectCode::missing_field, key, "is required");
      return nullptr;
    }
    if (!v->is_object()) {
      fail(RejectCode::invalid_field, key, "must be an object");
      return nullptr;
    }
    return &v->get_object();
  }

  void fail(RejectCode code, std::string_view field, std::string reason) {
    if (!err_) err_ = Rejection{code, std::string(field), std::string(field) + " " + reason};
  }

 private:
  const json::object& a_;
  std::optional<Rejection> err_;
};

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Phone: digits with optional leading + and inner '-' or spaces, 5..20 digits.
bool valid_phone(std::string_view s) {
  int digits = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') ++digits;
    else if (c == '+' && i == 0) continue;
    else if (c == '-' || c == ' ') continue;
    else return false;
  }
  return digits >= 5 && digits <= 20;
}

Decision reject(RejectCode code, std::string field, std::string reason) {
  Decision d;
  d.rejection = Rejection{code, std::move(field), std::move(reason)};
  return d;
}

// Sets of roles and states as bit masks (one bit per enum value).
using Mask = std::uint32_t;
template <class E>
constexpr Mask bit(E e) {
  return Mask{1} << static_cast<unsigned>(e);
}
template <class... E>
constexpr Mask bits(E... e) {
  return (Mask{0} | ... | bit(e));
}
template <class E>
constexpr bool in(E e, Mask m) {
  return (m & bit(e)) != 0;
}

std::string states_text(Mask states) {
  std::string out;
  for (std::size_t i = 0; i < EnumNames<Status>::names.size(); ++i) {
    if (!(states & (Mask{1} << i))) continue;
    if (!out.empty()) out += ", ";
    out += EnumNames<Status>::names[i];
  }
  return out;
}

// Which roles may issue each command (DOMAIN.md, Roles and Lifecycle).
Mask allowed_roles(CommandType t) {
  using R = Role;
  switch (t) {
    // system: orders that arrive without an operator (sensors, Open311 apps).
    case CommandType::create: return bits(R::operator_, R::system);
    case CommandType::answer:
    case CommandType::transfer_emergency:
    case CommandType::visit:
    case CommandType::reopen:
    case CommandType::merge:
    case CommandType::cancel: return bits(R::operator_);
    case CommandType::dispatch: return bits(R::dispatcher, R::system);
    case CommandType::arbitrate:
    case CommandType::decide_extension: return bits(R::dispatcher);
    case CommandType::claim:
    case CommandType::return_order:
    case CommandType::request_extension:
    case CommandType::note:
    case CommandType::reply: return bits(R::clerk, R::coordinator);
    case CommandType::close: return bits(R::operator_, R::system);
    case CommandType::supervise: return bits(R::dispatcher, R::leader);
    case CommandType::whistle: return bits(R::coordinator);
  }
  return 0;
}

// The states each command may start from.
Mask allowed_states(CommandType t) {
  using S = Status;
  switch (t) {
    case CommandType::create: return 0;
    case CommandType::answer:
    case CommandType::transfer_emergency:
    case CommandType::cancel: return bits(S::received);
    case CommandType::dispatch: return bits(S::received, S::returned);
    case CommandType::claim: return bits(S::dispatched);
    case CommandType::return_order: return bits(S::dispatched, S::claimed);
    case CommandType::arbitrate: return bits(S::returned);
    case CommandType::request_extension:
    case CommandType::decide_extension:
    case CommandType::note:
    case CommandType::reply: return bits(S::claimed);
    case CommandType::visit: return bits(S::replied);
    case CommandType::reopen:
    case CommandType::close: return bits(S::visited);
    case CommandType::supervise:
    case CommandType::whistle:
      return bits(S::received, S::dispatched, S::claimed, S::returned, S::replied, S::visited);
    case CommandType::merge: return bits(S::received, S::dispatched);
  }
  return 0;
}

// Department scope: a clerk or coordinator acts only on orders of their own
// department (the lead for handling commands; lead or assisting for notes); a
// department leader only on their department's orders.
std::optional<Rejection> check_scope(const WorkOrder& o, const Actor& a, CommandType t) {
  auto out = [&] {
    return Rejection{RejectCode::out_of_scope, "",
                     "order " + o.number + " is not assigned to department " +
                         (a.dept.empty() ? std::string("(none)") : a.dept)};
  };
  switch (a.role) {
    case Role::clerk:
    case Role::coordinator: {
      if (t == CommandType::whistle && !a.area.empty() && a.area.size() >= 9 &&
          o.area.compare(0, 9, a.area, 0, 9) == 0)
        return std::nullopt;  // 吹哨: any order in the coordinator's street
      if (a.dept.empty()) return out();
      bool lead_only = t != CommandType::note;
      const std::string* lead = o.lead_dept();
      if (lead_only ? !(lead && *lead == a.dept) : !o.has_dept(a.dept)) return out();
      return std::nullopt;
    }
    case Role::leader:
      if (!a.dept.empty() && !o.has_dept(a.dept)) return out();
      return std::nullopt;
    default: return std::nullopt;
  }
}

Event make_event(const WorkOrder* o, EventType type, const Actor& a, Millis now,
                 json::object data) {
  Event e;
  e.order = o ? o->number : std::string();
  e.seq = o ? o->version + 1 : 1;
  e.at = now;
  e.actor = a;
  e.type = type;
  e.data = std::move(data);
  return e;
}

Decision one(Event e) {
  Decision d;
  d.events.push_back(std::move(e));
  return d;
}

// Parses lead + assist departments for dispatch / arbitrate.
std::optional<Rejection> read_depts(Args& args, const DecideContext& ctx, std::string& lead,
                                    std::vector<std::string>& assist) {
  lead = args.str("lead", true);
  assist = args.str_list("assist", false);
  if (args.error()) return args.error();
  if (std::find(assist.begin(), assist.end(), lead) != assist.end())
    return Rejection{RejectCode::invalid_field, "assist",
                     "assist must not repeat the lead department " + lead};
  if (ctx.dept_exists) {
    if (!ctx.dept_exists(lead))
      return Rejection{RejectCode::invalid_field, "lead", "lead names unknown department " + lead};
    for (const auto& d : assist)
      if (!ctx.dept_exists(d))
        return Rejection{RejectCode::invalid_field, "assist",
                         "assist names unknown department " + d};
  }
  return std::nullopt;
}

Decision decide_create(const Command& cmd, const Actor& actor, const DecideContext& ctx) {
  Args args(cmd.args);
  auto kind = args.enumeration<Kind>("kind", true);
  auto channel = args.enumeration<Channel>("channel", false);
  auto urgency = args.enumeration<Urgency>("urgency", false);
  auto mode = args.enumeration<Mode>("mode", false);
  std::string category = args.str("category", true);
  std::string description = args.str("description", true, kMaxText);
  std::string title = args.str("title", false);
  std::string area = args.str("area", false, 12);
  std::string address = args.str("address", false);
  auto lat = args.number("lat", -90, 90);
  auto lng = args.number("lng", -180, 180);
  Citizen citizen;
  if (auto* c = args.object("citizen", false)) {
    Args ca(*c);
    citizen.name = ca.str("name", false, 100);
    citizen.phone = ca.str("phone", false, 40);
    citizen.id_number = ca.str("id_number", false, 18);
    if (ca.error()) {
      auto r = *ca.error();
      return reject(r.code, "citizen." + r.field, "citizen." + r.reason);
    }
    if (!citizen.phone.empty() && !valid_phone(citizen.phone))
      return reject(RejectCode::invalid_field, "citizen.phone",
                    "citizen.phone must be a phone number (5 to 20 digits)");
    if (!citizen.id_number.empty() && citizen.id_number.size() != 18)
      return reject(RejectCode::invalid_field, "citizen.id_number",
                    "citizen.id_number must have 18 characters");
  }
  if (args.error()) return reject(args.error()->code, args.error()->field, args.error()->reason);
  if (!area.empty() && (area.size() != 12 || !is_digits(area)))
    return reject(RejectCode::invalid_field, "area", "area must be a 12-digit division code");
  if (area.empty() && address.empty() && !(lat && lng))
    return reject(RejectCode::missing_field, "address",
                  "address is required when neither area nor lat/lng is given");
  if (lat.has_value() != lng.has_value())
    return reject(RejectCode::invalid_field, lat ? "lng" : "lat", "lat and lng go together");

  Urgency u = urgency.value_or(Urgency::normal);
  Mode m = mode.value_or(u == Urgency::normal ? Mode::onsite : Mode::immediate);
  if (title.empty()) {
    // First 30 characters (UTF-8 aware) of the description.
    std::size_t chars = 0, i = 0;
    while (i < description.size() && chars < 30) {
      unsigned char c = static_cast<unsigned char>(description[i]);
      i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      ++chars;
    }
    title = description.substr(0, std::min(i, description.size()));
  }

  auto [id, number] = ctx.allocate();
  json::object d;
  d["id"] = id;
  d["number"] = number;
  d["channel"] = name(channel.value_or(Channel::hotline));
  d["kind"] = name(*kind);
  d["urgency"] = name(u);
  d["mode"] = name(m);
  d["category"] = category;
  d["area"] = area;
  d["address"] = address;
  if (lat) d["lat"] = *lat;
  if (lng) d["lng"] = *lng;
  d["title"] = title;
  d["description"] = description;
  d["citizen"] = {{"name", citizen.name}, {"phone", citizen.phone},
                  {"id_number", citizen.id_number}};
  Event e = make_event(nullptr, EventType::created, actor, ctx.now, std::move(d));
  e.order = number;
  return one(std::move(e));
}

}  // namespace

Decision decide(const WorkOrder* o, const Command& cmd, const Actor& actor,
                const DecideContext& ctx) {
  const CommandType t = cmd.type;
  if (!in(actor.role, allowed_roles(t)))
    return reject(RejectCode::forbidden, "",
                  "role " + std::string(name(actor.role)) + " may not " + std::string(name(t)));
  if (t == CommandType::create) return decide_create(cmd, actor, ctx);
  if (!o) return reject(RejectCode::not_found, "number", "no such order");
  if (!in(o->status, allowed_states(t)))
    return reject(RejectCode::invalid_state, "",
                  std::string(name(t)) + " needs the order in state " +
                      states_text(allowed_states(t)) + ", but " + o->number + " is " +
                      std::string(name(o->status)));
  if (auto r = check_scope(*o, actor, t)) return reject(r->code, r->field, r->reason);

  const Millis now = ctx.now;
  Args args(cmd.args);
  auto bad = [&]() { return reject(args.error()->code, args.error()->field, args.error()->reason); };
  auto ev = [&](EventType type, json::object data) {
    return one(make_event(o, type, actor, now, std::move(data)));
  };

  switch (t) {
    case CommandType::create: break;  // handled above

    case CommandType::answer: {
      auto text = args.str("answer", true, kMaxText);
      if (args.error()) return bad();
      if (o->kind != Kind::consult)
        return reject(RejectCode::invalid_state, "kind",
                      "only a consult (咨询) can be answered at intake; this order is a " +
                          std::string(name(o->kind)));
      return ev(EventType::answered,
                {{"answer", text}, {"visit_due", ctx.sla->visit_due(*o, now)}});
    }

    case CommandType::transfer_emergency: {
      auto line = args.str("line", true, 3);
      auto ref = args.str("reference", true);
      if (args.error()) return bad();
      if (line != "110" && line != "119" && line != "120" && line != "122")
        return reject(RejectCode::invalid_field, "line", "line must be one of 110|119|120|122");
      return ev(EventType::transferred, {{"line", line}, {"reference", ref}});
    }

    case CommandType::dispatch:
    case CommandType::arbitrate: {
      std::string lead;
      std::vector<std::string> assist;
      auto mode = args.enumeration<Mode>("mode", false);
      std::string ruling = args.str("ruling", t == CommandType::arbitrate, kMaxText);
      if (args.error()) return bad();
      // With no lead given, a dispatch follows routing's proposal.
      const bool follow = t == CommandType::dispatch && !cmd.args.contains("lead") && o->proposal &&
                          !o->proposal->lead.empty();
      if (follow) {
        lead = o->proposal->lead;
        assist = o->proposal->assist;
      } else if (auto r = read_depts(args, ctx, lead, assist)) {
        return reject(r->code, r->field, r->reason);
      }
      // The claim deadline is the new lead department's (its own hours).
      WorkOrder probe = *o;
      if (mode) probe.mode = *mode;
      probe.depts = {{lead, DeptRole::lead}};
      json::array aj;
      for (auto& d : assist) aj.push_back(json::string(d));
      json::object d{{"lead", lead},
                     {"assist", std::move(aj)},
                     {"mode", name(probe.mode)},
                     {"claim_due", ctx.sla->claim_due(probe, now)}};
      if (t == CommandType::arbitrate) d["ruling"] = ruling;
      // Routing explains itself: the rule that chose the lead, or "manual".
      if (o->proposal && o->proposal->lead == lead && t == CommandType::dispatch) {
        d["rule"] = o->proposal->rule;
        d["reason"] = o->proposal->reason;
        d["config_version"] = o->proposal->config_version;
      } else {
        d["rule"] = "manual";
        d["reason"] = ruling.empty() ? std::string("派单员指定") : ruling;
      }
      return ev(EventType::dispatched, std::move(d));
    }

    case CommandType::claim:
      return ev(EventType::claimed, {{"reply_due", ctx.sla->reply_due(*o, now)}});

    case CommandType::return_order: {
      auto reason = args.enumeration<ReturnReason>("reason", true);
      auto comment = args.str("comment", false, kMaxText);
      if (args.error()) return bad();
      if (*reason == ReturnReason::other && comment.empty())
        return reject(RejectCode::missing_field, "comment",
                      "comment is required when the reason is other");
      return ev(EventType::returned,
                {{"reason", name(*reason)}, {"comment", comment}, {"dept", *o->lead_dept()}});
    }

    case CommandType::request_extension: {
      auto reason = args.str("reason", true, kMaxText);
      auto due = args.integer("new_due", true);
      if (args.error()) return bad();
      if (o->extension)
        return reject(RejectCode::conflict, "", "an extension request is already pending");
      if (o->reply_due != 0 && now >= o->reply_due)
        return reject(RejectCode::invalid_state, "new_due",
                      "an extension must be asked for before the deadline");
      if (*due <= o->reply_due)
        return reject(RejectCode::invalid_field, "new_due",
                      "new_due must be later than the current deadline");
      if (*due > ctx.sla->max_extended_due(*o))
        return reject(RejectCode::invalid_field, "new_due",
                      "new_due is later than the policy allows");
      return ev(EventType::extension_requested, {{"reason", reason}, {"requested_due", *due}});
    }

    case CommandType::decide_extension: {
      auto approve = args.boolean("approve", true);
      auto comment = args.str("comment", false, kMaxText);
      if (args.error()) return bad();
      if (!o->extension)
        return reject(RejectCode::invalid_state, "", "no extension request is pending");
      if (!*approve && comment.empty())
        return reject(RejectCode::missing_field, "comment",
                      "comment is required when an extension is refused");
      json::object d{{"approved", *approve}, {"comment", comment}};
      d["reply_due"] = *approve ? o->extension->requested_due : o->reply_due;
      return ev(EventType::extension_decided, std::move(d));
    }

    case CommandType::note: {
      auto text = args.str("text", true, kMaxText);
      if (args.error()) return bad();
      return ev(EventType::noted, {{"text", text}});
    }

    case CommandType::reply: {
      auto result = args.str("result", true, kMaxText);
      auto* onsite = args.object("onsite", o->mode == Mode::onsite);
      if (args.error()) return bad();
      json::object d{{"result", result}, {"visit_due", ctx.sla->visit_due(*o, now)}};
      if (onsite) {
        // 上门办: the reply records the visit: when, who, where.
        Args oa(*onsite);
        auto at = oa.integer("at", true);
        auto by = oa.str("by", true);
        auto place = oa.str("place", true);
        if (oa.error())
          return reject(oa.error()->code, "onsite." + oa.error()->field,
                        "onsite." + oa.error()->reason);
        d["onsite"] = {{"at", *at}, {"by", by}, {"place", place}};
      }
      return ev(EventType::replied, std::move(d));
    }

    case CommandType::visit: {
      auto solved = args.boolean("solved", true);
      auto sat = args.enumeration<Satisfaction>("satisfaction", true);
      auto comment = args.str("comment", false, kMaxText);
      if (args.error()) return bad();
      return ev(EventType::visited,
                {{"solved", *solved}, {"satisfaction", name(*sat)}, {"comment", comment}});
    }

    case CommandType::reopen: {
      auto reason = args.str("reason", false, kMaxText);
      if (args.error()) return bad();
      if (o->rating && o->rating->solved &&
          o->rating->satisfaction != Satisfaction::unsatisfied)
        return reject(RejectCode::invalid_state, "",
                      "only an order rated not solved or not satisfied can be reopened");
      return ev(EventType::reopened,
                {{"reason", reason}, {"reply_due", ctx.sla->reply_due(*o, now)}});
    }

    case CommandType::close: return ev(EventType::closed, {});

    case CommandType::supervise: {
      auto level = args.enumeration<SuperviseLevel>("level", false);
      auto comment = args.str("comment", true, kMaxText);
      if (args.error()) return bad();
      return ev(EventType::supervised,
                {{"level", name(level.value_or(SuperviseLevel::supervise))}, {"comment", comment}});
    }

    case CommandType::whistle: {
      auto depts = args.str_list("depts", true);
      auto comment = args.str("comment", false, kMaxText);
      if (args.error()) return bad();
      json::array dj;
      for (const auto& d : depts) {
        bool called = std::any_of(o->whistles.begin(), o->whistles.end(),
                                  [&](const Whistle& w) { return w.dept == d; });
        if (o->has_dept(d) || called)
          return reject(RejectCode::invalid_field, "depts",
                        "department " + d + " is already on this order");
        if (ctx.dept_exists && !ctx.dept_exists(d))
          return reject(RejectCode::invalid_field, "depts", "depts names unknown department " + d);
        dj.push_back(json::string(d));
      }
      // Each called department gets a linked order: numbers are taken now so
      // the event says exactly which orders it created.
      json::array children;
      for (const auto& d : depts) {
        if (!ctx.allocate) break;
        auto [id, number] = ctx.allocate();
        children.push_back({{"dept", d}, {"id", id}, {"number", number}});
      }
      return ev(EventType::whistled, {{"depts", std::move(dj)},
                                      {"children", std::move(children)},
                                      {"comment", comment},
                                      {"report_due", ctx.sla->report_due(*o, now)}});
    }

    case CommandType::merge: {
      auto into = args.str("into", true, 32);
      if (args.error()) return bad();
      if (into == o->number)
        return reject(RejectCode::invalid_field, "into", "an order cannot be merged into itself");
      return ev(EventType::merged, {{"into", into}});
    }

    case CommandType::cancel: {
      auto reason = args.str("reason", true, kMaxText);
      if (args.error()) return bad();
      return ev(EventType::cancelled, {{"reason", reason}});
    }
  }
  return reject(RejectCode::invalid_field, "type", "unknown command");
}

// ---------------------------------------------------------------------------

namespace {
std::string s_of(const json::object& d, std::string_view k) {
  auto* p = d.if_contains(k);
  return p && p->is_string() ? std::string(p->get_string()) : std::string();
}
Millis i_of(const json::object& d, std::string_view k) {
  auto* p = d.if_contains(k);
  return p && p->is_number() ? p->to_number<Millis>() : 0;
}
}  // namespace

void apply(WorkOrder& o, const Event& ev) {
  const auto& d = ev.data;
  switch (ev.type) {
    case EventType::created: {
      o = WorkOrder{};
      o.id = i_of(d, "id");
      o.number = s_of(d, "number");
      read_intake(d, o);
      if (auto* r = d.if_contains("route"); r && r->is_object()) o.proposal = proposal_from_json(r->get_object());
      if (auto* p = d.if_contains("placement"); p && p->is_object()) {
        o.placed_by = s_of(p->get_object(), "matched_by");
        if (auto* nr = p->get_object().if_contains("needs_review"); nr && nr->is_bool())
          o.needs_review = nr->get_bool();
        o.placement = s_of(p->get_object(), "confidence");
        if (auto* cs = p->get_object().if_contains("candidates"); cs && cs->is_array())
          for (const auto& c : cs->get_array())
            if (c.is_object()) o.candidates.push_back(s_of(c.get_object(), "area"));
      }
      o.status = Status::received;
      o.created_at = ev.at;
      break;
    }
    case EventType::answered:
      o.status = Status::replied;
      o.result = s_of(d, "answer");
      o.replied_at = ev.at;
      o.extension.reset();
      o.visit_due = i_of(d, "visit_due");
      break;
    case EventType::transferred:
      o.status = Status::transferred;
      o.transfer_line = s_of(d, "line");
      o.transfer_ref = s_of(d, "reference");
      o.closed_at = ev.at;
      break;
    case EventType::dispatched: {
      o.status = Status::dispatched;
      o.depts.clear();
      o.depts.push_back({s_of(d, "lead"), DeptRole::lead});
      if (auto* a = d.if_contains("assist"); a && a->is_array())
        for (const auto& x : a->get_array()) o.depts.push_back({std::string(x.as_string()), DeptRole::assist});
      if (auto m = parse<Mode>(s_of(d, "mode"))) o.mode = *m;
      o.dispatched_at = ev.at;
      o.dept_since = ev.at;
      o.claim_due = i_of(d, "claim_due");
      o.claimed_at = 0;
      o.reply_due = 0;
      o.extension.reset();
      o.sla_flags = 0;
      o.clock_escalations.clear();
      break;
    }
    case EventType::claimed:
      o.status = Status::claimed;
      o.claimed_at = ev.at;
      o.reply_due = i_of(d, "reply_due");
      o.sla_flags &= static_cast<std::uint8_t>(~(kReplyWarned | kReplyOverdue));
      o.clock_escalations.clear();
      break;
    case EventType::returned:
      o.status = Status::returned;
      ++o.return_count;
      o.claim_due = 0;
      o.reply_due = 0;
      o.extension.reset();
      break;
    case EventType::extension_requested:
      o.extension = ExtensionRequest{s_of(d, "reason"), i_of(d, "requested_due"), ev.at,
                                     ev.actor.user};
      break;
    case EventType::extension_decided:
      if (auto* a = d.if_contains("approved"); a && a->is_bool() && a->get_bool()) {
        o.reply_due = i_of(d, "reply_due");
        ++o.extension_count;
        o.sla_flags &= static_cast<std::uint8_t>(~(kReplyWarned | kReplyOverdue));
        o.clock_escalations.clear();
      }
      o.extension.reset();
      break;
    case EventType::noted: break;
    case EventType::replied:
      o.status = Status::replied;
      o.result = s_of(d, "result");
      o.replied_at = ev.at;
      o.extension.reset();
      o.visit_due = i_of(d, "visit_due");
      break;
    case EventType::visited: {
      o.status = Status::visited;
      o.visited_at = ev.at;
      Rating r;
      if (auto* p = d.if_contains("solved"); p && p->is_bool()) r.solved = p->get_bool();
      r.satisfaction = parse<Satisfaction>(s_of(d, "satisfaction")).value_or(Satisfaction::satisfied);
      r.comment = s_of(d, "comment");
      o.rating = r;
      break;
    }
    case EventType::reopened:
      o.status = Status::claimed;
      ++o.reopen_count;
      o.claimed_at = ev.at;
      o.reply_due = i_of(d, "reply_due");
      o.replied_at = 0;
      o.visit_due = 0;
      o.rating.reset();
      o.extension.reset();
      o.sla_flags &= static_cast<std::uint8_t>(~(kReplyWarned | kReplyOverdue | kVisitOverdue));
      o.clock_escalations.clear();
      break;
    case EventType::closed:
      o.status = Status::closed;
      o.closed_at = ev.at;
      break;
    case EventType::supervised:
      if (s_of(d, "level") == "supervise") o.supervised = true;
      ++o.supervise_count;
      break;
    case EventType::whistled: {
      Millis due = i_of(d, "report_due");
      const json::array* children = nullptr;
      if (auto* c = d.if_contains("children"); c && c->is_array()) children = &c->get_array();
      if (auto* a = d.if_contains("depts"); a && a->is_array()) {
        for (const auto& x : a->get_array()) {
          Whistle w{std::string(x.as_string()), {}, due, 0};
          if (children)
            for (const auto& c : *children)
              if (s_of(c.as_object(), "dept") == w.dept) w.child = s_of(c.as_object(), "number");
          o.whistles.push_back(std::move(w));
        }
      }
      break;
    }
    case EventType::reported:
      for (auto& w : o.whistles)
        if (w.dept == s_of(d, "dept") && w.reported_at == 0) w.reported_at = ev.at;
      break;
    case EventType::warned:
    case EventType::overdue: {
      std::string clock = s_of(d, "clock");
      bool warn = ev.type == EventType::warned;
      if (clock == "claim") o.sla_flags |= warn ? kClaimWarned : kClaimOverdue;
      else if (clock == "reply") o.sla_flags |= warn ? kReplyWarned : kReplyOverdue;
      else if (clock == "visit") o.sla_flags |= kVisitOverdue;
      break;
    }
    case EventType::escalated: {
      o.escalations.push_back(s_of(d, "rule"));
      if (s_of(d, "trigger") == "not_claimed" || s_of(d, "trigger") == "overdue")
        o.clock_escalations.push_back(s_of(d, "rule"));
      std::string action = s_of(d, "action");
      if (action == "supervise") {
        o.supervised = true;
        ++o.supervise_count;
      } else if (action == "urge") {
        ++o.supervise_count;
      } else if (action == "report_list") {
        o.reported_list = true;
      } else if (action == "mark_difficult") {
        o.difficult = true;
      } else if (action == "hot_spot") {
        o.hot_spot = true;
      }
      break;
    }
    case EventType::merged:
      o.status = Status::cancelled;
      o.duplicate = true;
      o.merged_into = s_of(d, "into");
      o.closed_at = ev.at;
      break;
    case EventType::cancelled:
      o.status = Status::cancelled;
      o.closed_at = ev.at;
      break;
  }
  o.version = ev.seq;
  o.updated_at = ev.at;
}

std::vector<std::vector<Event>> linked_orders(const WorkOrder& parent, const Event& whistled) {
  std::vector<std::vector<Event>> out;
  auto* children = whistled.data.if_contains("children");
  if (!children || !children->is_array()) return out;
  const Millis due = i_of(whistled.data, "report_due");
  for (const auto& c : children->get_array()) {
    const auto& cj = c.as_object();
    std::string number = s_of(cj, "number");
    json::object intake = to_json(parent);  // the same matter, seen from the called department
    json::object d{{"id", i_of(cj, "id")},
                   {"number", number},
                   {"parent", parent.number},
                   {"channel", intake["channel"]},
                   {"kind", intake["kind"]},
                   {"urgency", intake["urgency"]},
                   {"mode", name(Mode::coordinated)},
                   {"category", parent.category},
                   {"area", parent.area},
                   {"address", parent.address},
                   {"title", "【吹哨】" + parent.title},
                   {"description", parent.description},
                   {"citizen", intake["citizen"]}};
    if (parent.lat) d["lat"] = *parent.lat;
    if (parent.lng) d["lng"] = *parent.lng;
    Event created{number, 1, whistled.at, whistled.actor, EventType::created, std::move(d)};
    Event dispatched{number, 2, whistled.at, whistled.actor, EventType::dispatched,
                     {{"lead", s_of(cj, "dept")},
                      {"assist", json::array{}},
                      {"mode", name(Mode::coordinated)},
                      {"claim_due", due}}};
    out.push_back({std::move(created), std::move(dispatched)});
  }
  return out;
}

Event reported_event(const WorkOrder& parent, const WorkOrder& child, const Event& claimed) {
  const std::string* dept = child.lead_dept();
  Millis due = 0;
  for (const auto& w : parent.whistles)
    if (w.child == child.number) due = w.due;
  return Event{parent.number, parent.version + 1, claimed.at, claimed.actor, EventType::reported,
               {{"dept", dept ? *dept : std::string()},
                {"child", child.number},
                {"on_time", due == 0 || claimed.at <= due}}};
}

WorkOrder replay(const std::vector<Event>& history) {
  WorkOrder o;
  for (const auto& e : history) apply(o, e);
  return o;
}

json::object to_json(const Event& e) {
  return {{"order", e.order},
          {"seq", e.seq},
          {"at", e.at},
          {"actor", {{"user", e.actor.user},
                     {"role", name(e.actor.role)},
                     {"dept", e.actor.dept},
                     {"area", e.actor.area}}},
          {"type", name(e.type)},
          {"data", e.data}};
}

Event event_from_json(const json::value& v) {
  const auto& j = v.as_object();
  Event e;
  e.order = std::string(j.at("order").as_string());
  e.seq = static_cast<std::uint32_t>(j.at("seq").to_number<std::int64_t>());
  e.at = j.at("at").to_number<Millis>();
  const auto& a = j.at("actor").as_object();
  e.actor.user = std::string(a.at("user").as_string());
  auto role = parse<Role>(a.at("role").as_string());
  if (!role) throw std::invalid_argument("bad actor role");
  e.actor.role = *role;
  e.actor.dept = std::string(a.at("dept").as_string());
  e.actor.area = std::string(a.at("area").as_string());
  auto type = parse<EventType>(j.at("type").as_string());
  if (!type) throw std::invalid_argument("bad event type");
  e.type = *type;
  e.data = j.at("data").as_object();
  return e;
}

}  // namespace huying::core
