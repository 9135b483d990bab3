#include "dispatcher/core/workflow.hpp"

#include <boost/json.hpp>
#include <iterator>

#include "dispatcher/core/command_args.hpp"

namespace huying::core {

namespace json = boost::json;

bool in_community(const RuleSet& rules, std::string_view area) {
  const Area* a = rules.router->areas().find(area);
  return a && a->level == AreaLevel::community;
}

std::optional<Mode> default_mode(const Deployment& d, Kind kind, Urgency urgency,
                                 std::string_view category) {
  if (urgency != Urgency::normal) return Mode::immediate;
  const std::pair<std::string, Mode>* best = nullptr;
  for (const auto& cm : d.category_modes) {
    const std::string& prefix = cm.first;
    const bool match = category == prefix || (category.size() > prefix.size() &&
                                              category.substr(0, prefix.size()) == prefix &&
                                              category[prefix.size()] == '/');
    if (match && (!best || prefix.size() > best->first.size())) best = &cm;
  }
  if (best) return best->second;
  if (auto it = d.kind_modes.find(kind); it != d.kind_modes.end()) return it->second;
  return std::nullopt;
}

std::string route_area(const Placement& p) {
  // Not sure, and nothing better than the whole district: propose for the
  // best candidate (the desk confirms or corrects before anything goes out).
  const bool unsure = p.confidence == Confidence::ambiguous ||
                      (p.confidence == Confidence::weak && p.level == AreaLevel::district);
  if (unsure && !p.candidates.empty()) return p.candidates.front().area;
  return p.area;
}

Intake assess_intake(const RuleSet& rules, json::object& args) {
  Intake in;
  const AreaTree& tree = rules.router->areas();
  const std::string given = str_at(args, "area");
  in.placement =
      tree.place(given, str_at(args, "address"), number_at(args, "lat"), number_at(args, "lng"));
  const bool well_formed = valid_area_code(given);
  // Only an absent (or empty) area is filled in: a wrong type stays for the
  // command's own check to refuse.
  const auto* av = args.if_contains("area");
  const bool absent = !av || av->is_null() || (av->is_string() && av->get_string().empty());
  if (absent || (well_formed && !tree.find(given))) args["area"] = in.placement.area;
  RouteInput r;
  r.kind = parse<Kind>(str_at(args, "kind")).value_or(Kind::complaint);
  r.urgency = parse<Urgency>(str_at(args, "urgency")).value_or(Urgency::normal);
  r.category = str_at(args, "category");
  r.area = route_area(in.placement);
  r.text = str_at(args, "title") + " " + str_at(args, "description");
  r.placement = in.placement.confidence;
  in.route = rules.router->route(r);
  return in;
}

json::object to_json(const Placement& p) {
  json::array evidence;
  for (const auto& e : p.evidence) {
    json::object ej{{"text", e.text}, {"kind", e.kind}, {"area", e.area}, {"strong", e.strong}};
    if (!e.note.empty()) ej["note"] = e.note;
    evidence.push_back(std::move(ej));
  }
  json::array candidates;
  for (const auto& c : p.candidates)
    candidates.push_back({{"area", c.area}, {"name", c.name}, {"score", c.score}});
  return {{"area", p.area},
          {"confidence", name(p.confidence)},
          {"matched_by", p.matched_by},
          {"detail", p.detail},
          {"needs_review", p.needs_review},
          {"evidence", std::move(evidence)},
          {"candidates", std::move(candidates)}};
}

json::object to_json(const Route& r) {
  json::object j{{"lead", r.lead},
                 {"assist", strings_json(r.assist)},
                 {"transfer_line", r.transfer_line},
                 {"cue_words", strings_json(r.cue ? r.cue->words : std::vector<std::string>{})},
                 {"rule", r.rule},
                 {"reason", r.reason},
                 {"config_version", r.config_version}};
  return j;
}

bool may_auto_dispatch(const Deployment& d, const WorkOrder& o) {
  return d.auto_dispatch && o.proposal && !o.proposal->lead.empty() &&
         o.proposal->transfer_line.empty() && !o.needs_review &&
         (o.placement.empty() || o.placement == name(Confidence::confident));
}

bool may_auto_dispatch(const Deployment& d, const Intake& in) {
  return d.auto_dispatch && in.placement.confidence == Confidence::confident &&
         !in.route.lead.empty() && in.route.transfer_line.empty();
}

namespace {
void add(OrderChange& c, Event e) {
  apply(c.order, e);
  c.events.push_back(std::move(e));
}

const Actor kSystem{"system", Role::system, "", ""};
}  // namespace

namespace {
void append_follow_ups(const std::vector<Event>& decided, std::vector<OrderChange>& changes,
                       const FollowUpContext& ctx) {
  // 合并: every caller of the duplicate is called back on the surviving order.
  for (const auto& e : decided) {
    if (e.type != EventType::merged) continue;
    if (const WorkOrder* target =
            ctx.find_open ? ctx.find_open(changes[0].order.merged_into) : nullptr) {
      OrderChange c{*target, {}};
      add(c, caller_added_event(c.order, changes[0].order, e));
      changes.push_back(std::move(c));
    }
  }
  if (!ctx.rules) return;
  const RuleSet& rules = *ctx.rules;
  const EscalationRule* hs = rules.escalator->hot_spot_rule();
  EscalationContext ectx;
  ectx.now = ctx.now;
  ectx.sla = ctx.sla;
  ectx.difficult_target = [&rules](const WorkOrder& o) { return rules.difficult_target(o); };
  ectx.arbitration_dept = rules.deployment->arbitration_dept;

  for (const auto& e : decided) {
    for (auto& r : rules.escalator->react(changes[0].order, e, ectx)) add(changes[0], std::move(r));

    if (e.type == EventType::whistled) {
      for (auto& kid : linked_orders(changes[0].order, e)) {
        OrderChange c;
        for (auto& ke : kid) add(c, std::move(ke));
        changes.push_back(std::move(c));
      }
    }
    if (e.type == EventType::claimed && !changes[0].order.parent.empty() && ctx.find_open) {
      if (const WorkOrder* parent = ctx.find_open(changes[0].order.parent)) {
        OrderChange c{*parent, {}};
        add(c, reported_event(c.order, changes[0].order, e));
        changes.push_back(std::move(c));
      }
    }
    // A place the desk confirmed (amend, or a dispatch naming the area)
    // joins its community's hot-spot window.
    bool placed = (e.type == EventType::dispatched || e.type == EventType::redispatched) &&
                  e.data.contains("area");
    if (e.type == EventType::amended)
      for (const auto& ch : e.data.at("changes").as_array())
        placed = placed || str_at(ch.as_object(), "field") == "area";
    const WorkOrder& placed_order = changes[0].order;
    if (hs && ctx.hot && placed && in_community(rules, placed_order.area))
      ctx.hot->add(placed_order.area, placed_order.category, placed_order.number,
                   placed_order.created_at, hs->count, hs->days * kDay);

    if (e.type == EventType::created) {
      WorkOrder& o = changes[0].order;
      // 高频 counts one community's orders: an order not placed there yet
      // joins when the desk confirms its place.
      if (hs && ctx.hot && in_community(rules, o.area)) {
        std::size_t in_window = 0;
        auto cluster = ctx.hot->add(o.area, o.category, o.number, o.created_at, hs->count,
                                    hs->days * kDay, 20, &in_window);
        if (!cluster.empty())
          add(changes[0], Escalator::escalated(o, *hs, ctx.now,
                                               {{"related", strings_json(cluster)},
                                                {"count", in_window},
                                                {"suggest", "合并重复件并考虑吹哨"}}));
      }
      // Auto-dispatch only when routing is sure.
      if (may_auto_dispatch(*rules.deployment, o) && ctx.decide_context) {
        auto dd = decide(&o, {CommandType::dispatch, {}}, kSystem, ctx.decide_context());
        if (dd.ok())
          for (auto& de : dd.events) add(changes[0], std::move(de));
      }
    }
  }
}
}  // namespace

void follow_ups(std::vector<OrderChange>& changes, const FollowUpContext& ctx) {
  // The decided events stand aside while the follow-ups are appended (they
  // are read throughout; the list grows), then go back in front: moved, not
  // copied, whatever happens.
  std::vector<Event> decided = std::move(changes[0].events);
  changes[0].events.clear();
  auto rejoin = [&] {
    auto& added = changes[0].events;
    decided.insert(decided.end(), std::make_move_iterator(added.begin()),
                   std::make_move_iterator(added.end()));
    added = std::move(decided);
  };
  try {
    append_follow_ups(decided, changes, ctx);
  } catch (...) {
    rejoin();
    throw;
  }
  rejoin();
}

}  // namespace huying::core
