#include "dispatcher/core/lifecycle.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "dispatcher/core/access.hpp"
#include "dispatcher/core/command_args.hpp"

namespace huying::core {

namespace json = boost::json;

namespace {

Decision reject(RejectCode code, std::string field, std::string reason) {
  Decision d;
  d.rejection = Rejection{code, std::move(field), std::move(reason)};
  return d;
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

// A merged caller by the number of the order they called about.
const Caller* find_caller(const WorkOrder& o, std::string_view from) {
  for (const auto& c : o.callers)
    if (c.from == from) return &c;
  return nullptr;
}

// A caller still waiting for their call-back: the first one (`from` empty)
// or a merged one; nullopt when so, else why not.
std::optional<Rejection> callback_pending(const WorkOrder& o, const std::string& from) {
  if (from.empty()) {
    if (o.rating || o.unreachable)
      return Rejection{RejectCode::conflict, "caller",
                       "the first caller's call-back is already done"};
    return std::nullopt;
  }
  const Caller* c = find_caller(o, from);
  if (!c)
    return Rejection{RejectCode::invalid_field, "caller", "no merged caller from order " + from};
  if (c->has_outcome())
    return Rejection{RejectCode::conflict, "caller",
                     "the call-back of the caller from " + from + " is already done"};
  return std::nullopt;
}

// An area the desk names: a known street or community code.
std::optional<Rejection> check_area(const std::string& area, const DecideContext& ctx) {
  if (area.empty()) return std::nullopt;
  if (!valid_area_code(area))
    return Rejection{RejectCode::invalid_field, "area", "area must be a 12-digit division code"};
  if (ctx.area_placeable && !ctx.area_placeable(area))
    return Rejection{RejectCode::invalid_field, "area",
                     "area " + area + " is not a street or community of this deployment"};
  return std::nullopt;
}

// Reads a citizen object (name, phone, id_number), checking each field.
std::optional<Rejection> read_citizen(const json::object& c, Citizen& out) {
  Args ca(c);
  out.name = ca.str("name", false, 100);
  out.phone = ca.str("phone", false, 40);
  out.id_number = ca.str("id_number", false, 18);
  if (ca.error()) {
    auto r = *ca.error();
    return Rejection{r.code, "citizen." + r.field, "citizen." + r.reason};
  }
  if (!out.phone.empty() && !valid_phone(out.phone))
    return Rejection{RejectCode::invalid_field, "citizen.phone",
                     "citizen.phone must be a phone number (5 to 20 digits)"};
  if (!out.id_number.empty() && out.id_number.size() != 18)
    return Rejection{RejectCode::invalid_field, "citizen.id_number",
                     "citizen.id_number must have 18 characters"};
  return std::nullopt;
}

// The desk corrects an order: each changed field with old and new value and
// the reason; deadlines recomputed as the policy says for the new values.
Decision decide_amend(const WorkOrder& o, Args& args, const Actor& actor,
                      const DecideContext& ctx) {
  auto reason = args.str("reason", true, kMaxText);
  auto area = args.str("area", false, 12);
  auto address = args.str("address", false);
  auto category = args.str("category", false);
  auto kind = args.enumeration<Kind>("kind", false);
  auto urgency = args.enumeration<Urgency>("urgency", false);
  auto mode = args.enumeration<Mode>("mode", false);
  const json::object* cj = args.object("citizen", false);
  if (args.error()) return reject(args.error()->code, args.error()->field, args.error()->reason);
  if (auto r = check_area(area, ctx)) return reject(r->code, r->field, r->reason);
  if (!category.empty() && ctx.category_exists && !ctx.category_exists(category))
    return reject(RejectCode::invalid_field, "category",
                  "category names no category of this deployment: " + category);
  Citizen citizen = o.citizen;
  if (cj) {
    Citizen given;
    if (auto r = read_citizen(*cj, given)) return reject(r->code, r->field, r->reason);
    // Only the fields given change.
    if (cj->contains("name")) citizen.name = given.name;
    if (cj->contains("phone")) citizen.phone = given.phone;
    if (cj->contains("id_number")) citizen.id_number = given.id_number;
  }

  json::array changes;
  WorkOrder probe = o;
  auto change = [&](const char* field, const std::string& before, const std::string& after) {
    if (before != after) changes.push_back({{"field", field}, {"old", before}, {"new", after}});
  };
  if (!area.empty()) change("area", o.area, probe.area = area);
  if (!address.empty()) change("address", o.address, probe.address = address);
  if (!category.empty()) change("category", o.category, probe.category = category);
  if (kind) change("kind", std::string(name(o.kind)), std::string(name(probe.kind = *kind)));
  if (urgency)
    change("urgency", std::string(name(o.urgency)), std::string(name(probe.urgency = *urgency)));
  if (mode) change("mode", std::string(name(o.mode)), std::string(name(probe.mode = *mode)));
  change("citizen.name", o.citizen.name, citizen.name);
  change("citizen.phone", o.citizen.phone, citizen.phone);
  change("citizen.id_number", o.citizen.id_number, citizen.id_number);
  // An unconfirmed place confirmed as it is is a change too: the desk looked.
  const bool confirm = !area.empty() && area == o.area && o.needs_review;
  if (changes.empty() && !confirm)
    return reject(RejectCode::missing_field, "",
                  "amend needs at least one field that differs: area, address, category, kind, "
                  "urgency, mode or citizen");
  if (confirm) changes.push_back({{"field", "area"}, {"old", o.area}, {"new", area}});

  json::object d{{"reason", reason}, {"changes", std::move(changes)}};
  // The running clock follows the new values (an approved extension stays).
  if (o.status == Status::dispatched && o.claim_due) {
    Millis due = ctx.sla->claim_due(probe, o.dispatched_at);
    if (due != o.claim_due) d["claim_due"] = due;
  }
  if (o.status == Status::claimed && o.reply_due) {
    Millis due = ctx.sla->reply_due(probe, o.claimed_at);
    if (o.extension_count > 0) due = std::max(due, o.reply_due);
    if (due != o.reply_due) d["reply_due"] = due;
  }
  return one(make_event(&o, EventType::amended, actor, ctx.now, std::move(d)));
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
  if (auto* c = args.object("citizen", false))
    if (auto r = read_citizen(*c, citizen)) return reject(r->code, r->field, r->reason);
  auto confidential = args.boolean("confidential", false);
  // 跨域转办 in: the origin platform and its reference (the reply goes back there).
  std::string origin_platform, origin_ref;
  const bool cross = channel == Channel::cross_domain;
  if (auto* og = args.object("origin", cross)) {
    Args oa(*og);
    origin_platform = oa.str("platform", true);
    origin_ref = oa.str("reference", true);
    if (oa.error())
      return reject(oa.error()->code, "origin." + oa.error()->field,
                    "origin." + oa.error()->reason);
    if (ctx.platform_exists && !ctx.platform_exists(origin_platform))
      return reject(RejectCode::invalid_field, "origin.platform",
                    "origin.platform names no platform in the config: " + origin_platform);
  }
  if (args.error()) return reject(args.error()->code, args.error()->field, args.error()->reason);
  if (ctx.category_exists && !ctx.category_exists(category))
    return reject(RejectCode::invalid_field, "category",
                  "category names no category of this deployment: " + category);
  if (!area.empty() && !valid_area_code(area))
    return reject(RejectCode::invalid_field, "area", "area must be a 12-digit division code");
  if (area.empty() && address.empty() && !(lat && lng))
    return reject(RejectCode::missing_field, "address",
                  "address is required when neither area nor lat/lng is given");
  if (lat.has_value() != lng.has_value())
    return reject(RejectCode::invalid_field, lat ? "lng" : "lat", "lat and lng go together");

  Urgency u = urgency.value_or(Urgency::normal);
  // 主动办 (未诉先办): a department or street opens an order itself, with no call.
  const bool own = actor.role == Role::clerk || actor.role == Role::coordinator;
  std::string source = args.str("source", own, 32);
  if (args.error()) return reject(args.error()->code, args.error()->field, args.error()->reason);
  if (own && mode && *mode != Mode::proactive)
    return reject(RejectCode::invalid_field, "mode",
                  "an order a department opens itself is 主动办 (proactive)");
  if (own && actor.dept.empty())
    return reject(RejectCode::forbidden, "",
                  "only a department's staff may open an order without a call");
  // Without a mode: urgent calls run 立即办, a consult is answered (立即办), the
  // rest is handled on site (the deployment's table usually decides first).
  Mode m = mode.value_or(own                      ? Mode::proactive
                         : u != Urgency::normal   ? Mode::immediate
                         : *kind == Kind::consult ? Mode::immediate
                                                  : Mode::onsite);
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
  d["channel"] = name(channel.value_or(own ? Channel::patrol : Channel::hotline));
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
  d["citizen"] = {
      {"name", citizen.name}, {"phone", citizen.phone}, {"id_number", citizen.id_number}};
  if (confidential.value_or(false)) d["confidential"] = true;
  if (!origin_platform.empty())
    d["origin"] = {{"platform", origin_platform}, {"reference", origin_ref}};
  if (!source.empty()) d["source"] = source;
  Event e = make_event(nullptr, EventType::created, actor, ctx.now, std::move(d));
  e.order = number;
  Decision out = one(std::move(e));
  if (own) {
    // Opened by a department for itself: it is dispatched to that department
    // at once and enters the same lifecycle (签收, 办结, KPIs) as any order.
    WorkOrder probe;
    apply(probe, out.events[0]);
    probe.depts = {{actor.dept, DeptRole::lead}};
    Event disp = make_event(&probe, EventType::dispatched, actor, ctx.now,
                            {{"lead", actor.dept},
                             {"assist", json::array{}},
                             {"mode", name(Mode::proactive)},
                             {"claim_due", ctx.sla->claim_due(probe, ctx.now)},
                             {"rule", "proactive"},
                             {"reason", "主动办：部门自行发现并立案"}});
    out.events.push_back(std::move(disp));
  }
  return out;
}

}  // namespace

Decision decide(const WorkOrder* o, const Command& cmd, const Actor& actor,
                const DecideContext& ctx) {
  const CommandType t = cmd.type;
  if (!role_may(actor.role, t))
    return reject(RejectCode::forbidden, "",
                  "role " + std::string(name(actor.role)) + " may not " + std::string(name(t)));
  if (t == CommandType::create) return decide_create(cmd, actor, ctx);
  if (!o) return reject(RejectCode::not_found, "number", "no such order");
  if (!state_allows(o->status, t))
    return reject(RejectCode::invalid_state, "",
                  std::string(name(t)) + " needs the order in state " + allowed_states_text(t) +
                      ", but " + o->number + " is " + std::string(name(o->status)));
  if (auto r = check_scope(*o, actor, t)) return reject(r->code, r->field, r->reason);

  const Millis now = ctx.now;
  Args args(cmd.args);
  auto bad = [&]() {
    return reject(args.error()->code, args.error()->field, args.error()->reason);
  };
  auto ev = [&](EventType type, json::object data) {
    return one(make_event(o, type, actor, now, std::move(data)));
  };

  switch (t) {
    case CommandType::create:
      break;  // handled above

    case CommandType::answer: {
      auto text = args.str("answer", true, kMaxText);
      auto solved = args.boolean("solved", false);
      auto sat = args.enumeration<Satisfaction>("satisfaction", false);
      if (args.error()) return bad();
      if (o->kind != Kind::consult && o->mode != Mode::immediate)
        return reject(RejectCode::invalid_state, "kind",
                      "only a consult (咨询) or an order handled 立即办 (immediate) can be "
                      "answered on the call; "
                      "this order is a " +
                          std::string(name(o->kind)) + " handled " + std::string(name(o->mode)));
      Decision out =
          ev(EventType::answered, {{"answer", text}, {"visit_due", ctx.sla->visit_due(*o, now)}});
      if (sat) {
        // 即时办结: the caller rated the answer on the call; the order closes.
        WorkOrder cur = *o;
        apply(cur, out.events[0]);
        Event v = make_event(&cur, EventType::visited, actor, now,
                             {{"solved", solved.value_or(true)},
                              {"satisfaction", name(*sat)},
                              {"comment", "通话中即时办结"}});
        apply(cur, v);
        out.events.push_back(std::move(v));
        if (cur.callbacks_done() && !cur.any_unsatisfied()) {
          Event c = make_event(&cur, EventType::closed, actor, now, {{"on_call", true}});
          out.events.push_back(std::move(c));
        }
      }
      return out;
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
    case CommandType::arbitrate:
    case CommandType::redispatch: {
      const bool re = t == CommandType::redispatch;
      std::string lead;
      std::vector<std::string> assist;
      auto mode = args.enumeration<Mode>("mode", false);
      std::string ruling = args.str(re ? "reason" : "ruling", t != CommandType::dispatch, kMaxText);
      std::string area = args.str("area", false, 12);
      if (args.error()) return bad();
      if (auto r = check_area(area, ctx)) return reject(r->code, r->field, r->reason);
      // A flagged order gets its real street before it goes out, so
      // rankings, hot spots and the 吹哨 scope count it where it is.
      if (t == CommandType::dispatch && area.empty() && o->needs_review && ctx.area_placeable &&
          !ctx.area_placeable(o->area))
        return reject(RejectCode::missing_field, "area",
                      "area is required: the order's place is not confirmed (" +
                          (o->placement.empty() ? std::string("needs review") : o->placement) +
                          "); give its street or community code");
      // With no lead given, a dispatch follows routing's proposal.
      const bool follow = t == CommandType::dispatch && !cmd.args.contains("lead") && o->proposal &&
                          !o->proposal->lead.empty();
      if (follow) {
        lead = o->proposal->lead;
        assist = o->proposal->assist;
      } else if (auto r = read_depts(args, ctx, lead, assist)) {
        return reject(r->code, r->field, r->reason);
      }
      const std::string* current = o->lead_dept();
      if (re && current && *current == lead)
        return reject(RejectCode::invalid_field, "lead",
                      "redispatch must name another lead department than " + lead);
      // The claim deadline is the new lead department's (its own hours).
      WorkOrder probe = *o;
      if (mode) probe.mode = *mode;
      probe.depts = {{lead, DeptRole::lead}};
      json::object d{{"lead", lead},
                     {"assist", strings_json(assist)},
                     {"mode", name(probe.mode)},
                     {"claim_due", ctx.sla->claim_due(probe, now)}};
      if (!area.empty()) d["area"] = area;
      if (t == CommandType::arbitrate) d["ruling"] = ruling;
      if (re) d["from"] = current ? *current : std::string();
      // Routing explains itself: the rule that chose the lead, or "manual".
      if (o->proposal && o->proposal->lead == lead && t == CommandType::dispatch) {
        d["rule"] = o->proposal->rule;
        d["reason"] = o->proposal->reason;
        d["config_version"] = o->proposal->config_version;
      } else {
        d["rule"] = "manual";
        d["reason"] = ruling.empty() ? std::string("派单员指定") : ruling;
      }
      return ev(re ? EventType::redispatched : EventType::dispatched, std::move(d));
    }

    case CommandType::amend:
      return decide_amend(*o, args, actor, ctx);

    case CommandType::transfer_out: {
      auto platform = args.str("platform", true, 64);
      auto reason = args.str("reason", true, kMaxText);
      auto ref = args.str("reference", false);
      if (args.error()) return bad();
      if (ctx.platform_exists && !ctx.platform_exists(platform))
        return reject(RejectCode::invalid_field, "platform",
                      "platform names no platform in the config: " + platform);
      json::object d{{"platform", platform},
                     {"reason", reason},
                     {"reference", ref},
                     {"result_due", ctx.sla->transfer_result_due(*o, now)}};
      // Without the other side's reference yet, its acknowledgement is due.
      d["ack_due"] = ref.empty() ? ctx.sla->transfer_ack_due(*o, now) : Millis{0};
      return ev(EventType::transferred_out, std::move(d));
    }

    case CommandType::external_ack: {
      auto ref = args.str("reference", true);
      if (args.error()) return bad();
      if (o->acked_at != 0 || !o->external_ref.empty())
        return reject(RejectCode::conflict, "reference",
                      "the transfer was already acknowledged (reference " + o->external_ref + ")");
      return ev(EventType::external_acked, {{"reference", ref}});
    }

    case CommandType::record_external_result: {
      auto result = args.str("result", true, kMaxText);
      auto ref = args.str("reference", false);
      if (args.error()) return bad();
      return ev(EventType::external_result, {{"result", result},
                                             {"reference", ref.empty() ? o->external_ref : ref},
                                             {"visit_due", ctx.sla->visit_due(*o, now)}});
    }

    case CommandType::callback_failed: {
      auto caller = args.str("caller", false, 32);
      auto note = args.str("note", false, kMaxText);
      if (args.error()) return bad();
      if (auto r = callback_pending(*o, caller)) return reject(r->code, r->field, r->reason);
      const Caller* c = caller.empty() ? nullptr : find_caller(*o, caller);
      int attempts = c ? c->attempts : o->callback_attempts;
      Millis first = c ? c->first_attempt : o->first_callback_at;
      ++attempts;
      if (first == 0) first = now;
      // Unreachable after enough calls spread over enough working days.
      const bool spread = ctx.callback_working_days <= 1 ||
                          now >= ctx.sla->add_working_days(first, ctx.callback_working_days - 1);
      const bool unreachable = attempts >= ctx.callback_attempts && spread;
      return ev(EventType::callback_failed, {{"caller", caller},
                                             {"attempt", attempts},
                                             {"first_attempt", first},
                                             {"unreachable", unreachable},
                                             {"note", note}});
    }

    case CommandType::claim: {
      json::object d{{"reply_due", ctx.sla->reply_due(*o, now)}};
      // 跟踪办: a progress note is due every few working days from now on.
      if (o->mode == Mode::tracked)
        d["note_due"] = ctx.sla->add_working_days(now, ctx.tracked_note_working_days);
      return ev(EventType::claimed, std::move(d));
    }

    case CommandType::assist_opinion: {
      auto text = args.str("text", true, kMaxText);
      if (args.error()) return bad();
      bool assisting = std::any_of(o->depts.begin(), o->depts.end(), [&](const Assignment& a) {
        return a.role == DeptRole::assist && a.dept == actor.dept;
      });
      if (!assisting)
        return reject(RejectCode::out_of_scope, "",
                      "department " + actor.dept + " does not assist on " + o->number);
      if (std::any_of(o->opinions.begin(), o->opinions.end(),
                      [&](const Opinion& op) { return op.dept == actor.dept; }))
        return reject(RejectCode::conflict, "",
                      "department " + actor.dept + " already gave its 协办意见");
      return ev(EventType::opinion_recorded, {{"dept", actor.dept}, {"text", text}});
    }

    case CommandType::waive_opinions: {
      auto reason = args.str("reason", true, kMaxText);
      if (args.error()) return bad();
      auto missing = o->missing_opinions();
      if (missing.empty()) return reject(RejectCode::invalid_state, "", "no 协办意见 is missing");
      return ev(EventType::opinions_waived,
                {{"reason", reason}, {"missing", strings_json(missing)}});
    }

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
      json::object d{{"text", text}};
      // 跟踪办: the lead's note restarts the progress clock.
      const std::string* lead = o->lead_dept();
      if (o->mode == Mode::tracked && lead && *lead == actor.dept)
        d["note_due"] = ctx.sla->add_working_days(now, ctx.tracked_note_working_days);
      return ev(EventType::noted, std::move(d));
    }

    case CommandType::reply: {
      auto result = args.str("result", true, kMaxText);
      auto* onsite = args.object("onsite", o->mode == Mode::onsite);
      auto public_result = args.str("public_result", false, kMaxText);
      if (args.error()) return bad();
      // 积极办: every assisting department's 协办意见 first, unless the desk waived them.
      if (o->mode == Mode::coordinated) {
        auto missing = o->missing_opinions();
        if (!missing.empty()) {
          std::string list;
          for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
          return reject(
              RejectCode::invalid_state, "",
              "reply needs the 协办意见 of " + list + " (or the dispatch desk waives them)");
        }
      }
      json::object d{{"result", result}, {"visit_due", ctx.sla->visit_due(*o, now)}};
      // 公开办: the result is published (board, Open311), as given or as the public text.
      if (o->mode == Mode::published)
        d["publish"] = {{"text", public_result.empty() ? result : public_result}};
      // 跨域转办 in: this reply is what goes back to the origin platform.
      if (!o->origin_platform.empty())
        d["send_back"] = {{"platform", o->origin_platform}, {"reference", o->origin_ref}};
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
      auto caller = args.str("caller", false, 32);
      if (args.error()) return bad();
      // Each caller is called back: the first one (no `caller`), or a merged
      // duplicate's caller named by the number of the order they called about.
      if (auto r = callback_pending(*o, caller)) return reject(r->code, r->field, r->reason);
      json::object d{{"solved", *solved}, {"satisfaction", name(*sat)}, {"comment", comment}};
      if (!caller.empty()) d["caller"] = caller;
      return ev(EventType::visited, std::move(d));
    }

    case CommandType::reopen: {
      auto reason = args.str("reason", false, kMaxText);
      if (args.error()) return bad();
      if (!o->any_unsatisfied())
        return reject(RejectCode::invalid_state, "",
                      "only an order rated not solved or not satisfied can be reopened");
      // Back to the department that handled it; an order answered on the
      // call (no department yet) goes back to the desk to be dispatched.
      return ev(
          EventType::reopened,
          {{"reason", reason}, {"reply_due", o->lead_dept() ? ctx.sla->reply_due(*o, now) : 0}});
    }

    case CommandType::close:
      if (!o->callbacks_done())
        return reject(RejectCode::invalid_state, "",
                      "every caller needs a call-back outcome (rated or unreachable) before the "
                      "order is closed");
      return ev(EventType::closed, {});

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

namespace {}  // namespace

namespace {
// The desk confirmed (or corrected) where the order is.
void confirm_place(WorkOrder& o, const std::string& area) {
  o.area = area;
  o.needs_review = false;
  o.placement = "confident";
  o.placed_by = "desk";
  o.candidates.clear();
}

// A deadline set anew: its 黄灯/红灯 and the time-based rules watch it again.
void restart_clock(WorkOrder& o, Millis& due, Millis value, std::uint16_t signals) {
  due = value;
  o.sla_flags &= static_cast<std::uint16_t>(~signals);
  o.clock_escalations.clear();
}

// 跟踪办: the next progress note is due at `due`, counted from `at`.
void restart_note_clock(WorkOrder& o, Millis due, Millis at) {
  o.note_due = due;
  o.noted_at = at;
  o.sla_flags &= static_cast<std::uint16_t>(~(kNoteWarned | kNoteOverdue));
  o.note_escalations.clear();
}

Caller* caller_of(WorkOrder& o, const std::string& from) {
  if (from.empty()) return nullptr;
  for (auto& c : o.callers)
    if (c.from == from) return &c;
  return nullptr;
}
}  // namespace

void apply(WorkOrder& o, const Event& ev) {
  const auto& d = ev.data;
  switch (ev.type) {
    case EventType::created: {
      o = WorkOrder{};
      o.id = int_at(d, "id");
      o.number = str_at(d, "number");
      read_intake(d, o);
      if (auto* r = d.if_contains("route"); r && r->is_object())
        o.proposal = proposal_from_json(r->get_object());
      if (auto* p = d.if_contains("placement"); p && p->is_object()) {
        o.placed_by = str_at(p->get_object(), "matched_by");
        if (auto* nr = p->get_object().if_contains("needs_review"); nr && nr->is_bool())
          o.needs_review = nr->get_bool();
        o.placement = str_at(p->get_object(), "confidence");
        if (auto* cs = p->get_object().if_contains("candidates"); cs && cs->is_array())
          for (const auto& c : cs->get_array())
            if (c.is_object()) o.candidates.push_back(str_at(c.get_object(), "area"));
      }
      o.status = Status::received;
      o.created_at = ev.at;
      break;
    }
    case EventType::answered:
      o.status = Status::replied;
      o.result = str_at(d, "answer");
      o.replied_at = ev.at;
      o.extension.reset();
      o.visit_due = int_at(d, "visit_due");
      break;
    case EventType::transferred:
      o.status = Status::transferred;
      o.transfer_line = str_at(d, "line");
      o.transfer_ref = str_at(d, "reference");
      o.closed_at = ev.at;
      break;
    case EventType::dispatched:
    case EventType::redispatched: {
      if (ev.type == EventType::redispatched) ++o.redispatch_count;
      if (auto area = str_at(d, "area"); !area.empty()) confirm_place(o, area);
      o.status = Status::dispatched;
      o.depts.clear();
      o.depts.push_back({str_at(d, "lead"), DeptRole::lead});
      if (auto* a = d.if_contains("assist"); a && a->is_array())
        for (const auto& x : a->get_array())
          o.depts.push_back({std::string(x.as_string()), DeptRole::assist});
      if (auto m = parse<Mode>(str_at(d, "mode"))) o.mode = *m;
      o.dispatched_at = ev.at;
      o.dept_since = ev.at;
      o.claim_due = int_at(d, "claim_due");
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
      restart_note_clock(o, int_at(d, "note_due"), ev.at);
      restart_clock(o, o.reply_due, int_at(d, "reply_due"), kReplyWarned | kReplyOverdue);
      break;
    case EventType::returned:
      o.status = Status::returned;
      ++o.return_count;
      o.claim_due = 0;
      o.reply_due = 0;
      o.extension.reset();
      break;
    case EventType::extension_requested:
      o.extension =
          ExtensionRequest{str_at(d, "reason"), int_at(d, "requested_due"), ev.at, ev.actor.user};
      break;
    case EventType::extension_decided:
      if (bool_at(d, "approved")) {
        ++o.extension_count;
        restart_clock(o, o.reply_due, int_at(d, "reply_due"), kReplyWarned | kReplyOverdue);
      }
      o.extension.reset();
      break;
    case EventType::noted:
      if (d.contains("note_due")) restart_note_clock(o, int_at(d, "note_due"), ev.at);
      break;
    case EventType::opinion_recorded:
      o.opinions.push_back({str_at(d, "dept"), str_at(d, "text"), ev.at});
      break;
    case EventType::opinions_waived:
      o.opinions_waived = true;
      break;
    case EventType::replied:
      o.status = Status::replied;
      o.result = str_at(d, "result");
      o.note_due = 0;
      if (auto* p = d.if_contains("publish"); p && p->is_object()) {
        o.published = true;
        o.public_result = str_at(p->get_object(), "text");
      }
      o.replied_at = ev.at;
      o.extension.reset();
      o.visit_due = int_at(d, "visit_due");
      break;
    case EventType::visited: {
      Rating r;
      r.solved = bool_at(d, "solved");
      r.satisfaction =
          parse<Satisfaction>(str_at(d, "satisfaction")).value_or(Satisfaction::satisfied);
      r.comment = str_at(d, "comment");
      if (Caller* c = caller_of(o, str_at(d, "caller")))
        c->rating = r;
      else
        o.rating = r;
      // Visited once every caller has an outcome.
      if (o.callbacks_done()) {
        o.status = Status::visited;
        o.visited_at = ev.at;
      }
      break;
    }
    case EventType::callback_failed: {
      const int attempt = static_cast<int>(int_at(d, "attempt"));
      const bool gone = bool_at(d, "unreachable");
      if (Caller* c = caller_of(o, str_at(d, "caller"))) {
        c->attempts = attempt;
        c->first_attempt = int_at(d, "first_attempt");
        c->unreachable = gone;
      } else {
        o.callback_attempts = attempt;
        o.first_callback_at = int_at(d, "first_attempt");
        o.unreachable = gone;
      }
      if (o.callbacks_done()) {
        o.status = Status::visited;
        o.visited_at = ev.at;
      }
      break;
    }
    case EventType::caller_added:
      if (auto* cs = d.if_contains("callers"); cs && cs->is_array())
        for (const auto& cv : cs->get_array()) {
          if (!cv.is_object()) continue;
          const auto& cj = cv.get_object();
          Caller c;
          c.from = str_at(cj, "from");
          if (auto* ci = cj.if_contains("citizen"); ci && ci->is_object())
            c.citizen = {str_at(ci->get_object(), "name"), str_at(ci->get_object(), "phone"),
                         str_at(ci->get_object(), "id_number")};
          c.at = int_at(cj, "at");
          c.confidential = bool_at(cj, "confidential");
          o.callers.push_back(std::move(c));
        }
      // A caller who joins after the call-back round is called back too.
      if (o.status == Status::visited && !o.callbacks_done()) o.status = Status::replied;
      break;
    case EventType::amended:
      if (auto* cs = d.if_contains("changes"); cs && cs->is_array())
        for (const auto& cv : cs->get_array()) {
          if (!cv.is_object()) continue;
          const std::string field = str_at(cv.get_object(), "field");
          const std::string value = str_at(cv.get_object(), "new");
          if (field == "area")
            confirm_place(o, value);
          else if (field == "address")
            o.address = value;
          else if (field == "category")
            o.category = value;
          else if (field == "kind")
            o.kind = parse<Kind>(value).value_or(o.kind);
          else if (field == "urgency")
            o.urgency = parse<Urgency>(value).value_or(o.urgency);
          else if (field == "mode")
            o.mode = parse<Mode>(value).value_or(o.mode);
          else if (field == "citizen.name")
            o.citizen.name = value;
          else if (field == "citizen.phone")
            o.citizen.phone = value;
          else if (field == "citizen.id_number")
            o.citizen.id_number = value;
        }
      if (d.contains("claim_due"))
        restart_clock(o, o.claim_due, int_at(d, "claim_due"), kClaimWarned | kClaimOverdue);
      if (d.contains("reply_due"))
        restart_clock(o, o.reply_due, int_at(d, "reply_due"), kReplyWarned | kReplyOverdue);
      break;
    case EventType::transferred_out:
      o.status = Status::transferred_out;
      o.platform = str_at(d, "platform");
      o.external_ref = str_at(d, "reference");
      o.acked_at = o.external_ref.empty() ? 0 : ev.at;
      o.ack_due = int_at(d, "ack_due");
      o.result_due = int_at(d, "result_due");
      o.dept_since = ev.at;  // the time at the other platform
      o.sla_flags = 0;
      o.clock_escalations.clear();
      break;
    case EventType::external_acked:
      o.external_ref = str_at(d, "reference");
      o.acked_at = ev.at;
      o.ack_due = 0;
      break;
    case EventType::external_result:
      o.status = Status::replied;
      o.result = str_at(d, "result");
      o.external_ref = str_at(d, "reference");
      o.replied_at = ev.at;
      o.visit_due = int_at(d, "visit_due");
      o.ack_due = 0;
      o.result_due = 0;
      break;
    case EventType::reopened:
      o.status = o.lead_dept() ? Status::claimed : Status::received;
      ++o.reopen_count;
      if (o.lead_dept()) o.claimed_at = ev.at;
      o.reply_due = int_at(d, "reply_due");
      o.replied_at = 0;
      o.visit_due = 0;
      o.rating.reset();
      o.unreachable = false;
      o.callback_attempts = 0;
      o.first_callback_at = 0;
      for (auto& c : o.callers)
        c = Caller{c.from, c.citizen, c.at, c.confidential, {}, false, 0, 0};
      o.extension.reset();
      o.sla_flags &= static_cast<std::uint16_t>(
          ~(kReplyWarned | kReplyOverdue | kVisitOverdue | kVisitWarned));
      o.clock_escalations.clear();
      break;
    case EventType::closed:
      o.status = Status::closed;
      o.closed_at = ev.at;
      break;
    case EventType::supervised:
      if (str_at(d, "level") == "supervise") o.supervised = true;
      ++o.supervise_count;
      break;
    case EventType::whistled: {
      Millis due = int_at(d, "report_due");
      const json::array* children = nullptr;
      if (auto* c = d.if_contains("children"); c && c->is_array()) children = &c->get_array();
      if (auto* a = d.if_contains("depts"); a && a->is_array()) {
        for (const auto& x : a->get_array()) {
          Whistle w{std::string(x.as_string()), {}, due, 0};
          if (children)
            for (const auto& c : *children)
              if (str_at(c.as_object(), "dept") == w.dept)
                w.child = str_at(c.as_object(), "number");
          o.whistles.push_back(std::move(w));
        }
      }
      break;
    }
    case EventType::reported:
      for (auto& w : o.whistles)
        if (w.dept == str_at(d, "dept") && w.reported_at == 0) w.reported_at = ev.at;
      break;
    case EventType::warned:
    case EventType::overdue: {
      std::string clock = str_at(d, "clock");
      bool warn = ev.type == EventType::warned;
      if (clock == "claim")
        o.sla_flags |= warn ? kClaimWarned : kClaimOverdue;
      else if (clock == "reply")
        o.sla_flags |= warn ? kReplyWarned : kReplyOverdue;
      else if (clock == "visit")
        o.sla_flags |= warn ? kVisitWarned : kVisitOverdue;
      else if (clock == "ack")
        o.sla_flags |= kAckOverdue;
      else if (clock == "result")
        o.sla_flags |= warn ? kResultWarned : kResultOverdue;
      else if (clock == "note")
        o.sla_flags |= warn ? kNoteWarned : kNoteOverdue;
      break;
    }
    case EventType::escalated: {
      o.escalations.push_back(str_at(d, "rule"));
      if (str_at(d, "trigger") == "not_claimed" || str_at(d, "trigger") == "overdue" ||
          str_at(d, "trigger") == "callback_overdue")
        o.clock_escalations.push_back(str_at(d, "rule"));
      if (str_at(d, "trigger") == "note_overdue") o.note_escalations.push_back(str_at(d, "rule"));
      std::string action = str_at(d, "action");
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
      o.merged_into = str_at(d, "into");
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
  const Millis due = int_at(whistled.data, "report_due");
  for (const auto& c : children->get_array()) {
    const auto& cj = c.as_object();
    std::string number = str_at(cj, "number");
    json::object intake = to_json(parent);  // the same matter, seen from the called department
    json::object d{{"id", int_at(cj, "id")},
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
    Event dispatched{number,
                     2,
                     whistled.at,
                     whistled.actor,
                     EventType::dispatched,
                     {{"lead", str_at(cj, "dept")},
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
  return Event{parent.number,
               parent.version + 1,
               claimed.at,
               claimed.actor,
               EventType::reported,
               {{"dept", dept ? *dept : std::string()},
                {"child", child.number},
                {"on_time", due == 0 || claimed.at <= due}}};
}

Event caller_added_event(const WorkOrder& target, const WorkOrder& merged,
                         const Event& merged_event) {
  auto citizen = [](const Citizen& c) {
    return json::object{{"name", c.name}, {"phone", c.phone}, {"id_number", c.id_number}};
  };
  json::array callers;
  callers.push_back({{"from", merged.number},
                     {"citizen", citizen(merged.citizen)},
                     {"at", merged.created_at},
                     {"confidential", merged.confidential}});
  for (const auto& c : merged.callers)
    callers.push_back({{"from", c.from},
                       {"citizen", citizen(c.citizen)},
                       {"at", c.at},
                       {"confidential", c.confidential}});
  return Event{
      target.number,           target.version + 1,
      merged_event.at,         merged_event.actor,
      EventType::caller_added, {{"merged", merged.number}, {"callers", std::move(callers)}}};
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
          {"actor",
           {{"user", e.actor.user},
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
