#include "dispatcher/core/preview.hpp"

#include <boost/json.hpp>

#include "dispatcher/core/order.hpp"
#include "dispatcher/core/workflow.hpp"

namespace huying::core {

namespace json = boost::json;

namespace {

json::object refuse(const json::value& id, std::string field, std::string reason) {
  return {{"id", id}, {"error", {{"field", std::move(field)}, {"reason", std::move(reason)}}}};
}

}  // namespace

json::object route_preview(const RuleSet& rules, const json::object& req) {
  const json::value id = req.contains("id") ? req.at("id") : json::value(nullptr);
  // The intake arguments, as an operator's create would carry them.
  json::object args;
  for (const char* key : {"kind", "urgency", "category", "address", "area"}) {
    auto* v = req.if_contains(key);
    if (!v || v->is_null()) continue;
    if (!v->is_string()) return refuse(id, key, std::string(key) + " must be a string");
    args[key] = *v;
  }
  if (auto* t = req.if_contains("text"); t && !t->is_null()) {
    if (!t->is_string()) return refuse(id, "text", "text must be a string");
    args["description"] = *t;
  }
  if (auto k = core::str_at(args, "kind"); !k.empty() && !core::parse<core::Kind>(k))
    return refuse(id, "kind", "kind must be one of " + core::choices<core::Kind>());
  if (auto u = core::str_at(args, "urgency"); !u.empty() && !core::parse<core::Urgency>(u))
    return refuse(id, "urgency", "urgency must be one of " + core::choices<core::Urgency>());
  if (auto* p = req.if_contains("point"); p && !p->is_null()) {
    // {"lat": .., "lng": ..}, or a GeoJSON position [lng, lat].
    double lat = 0, lng = 0;
    if (p->is_object() && p->as_object().contains("lat") && p->as_object().contains("lng") &&
        p->as_object().at("lat").is_number() && p->as_object().at("lng").is_number()) {
      lat = p->as_object().at("lat").to_number<double>();
      lng = p->as_object().at("lng").to_number<double>();
    } else if (p->is_array() && p->as_array().size() == 2 && p->as_array()[0].is_number() &&
               p->as_array()[1].is_number()) {
      lng = p->as_array()[0].to_number<double>();
      lat = p->as_array()[1].to_number<double>();
    } else {
      return refuse(id, "point", "point must be {\"lat\": .., \"lng\": ..} or [lng, lat]");
    }
    if (lat < -90 || lat > 90 || lng < -180 || lng > 180)
      return refuse(id, "point", "point is not on Earth (lat -90..90, lng -180..180)");
    args["lat"] = lat;
    args["lng"] = lng;
  }
  core::Intake in = core::assess_intake(rules, args);
  json::object placement = core::to_json(in.placement);
  json::object route{{"department", in.route.lead},
                     {"assist", core::strings_json(in.route.assist)},
                     {"rule", in.route.rule},
                     {"reason", in.route.reason}};
  json::value cue = nullptr;
  if (in.route.cue)
    cue = json::object{{"line", in.route.cue->line},
                       {"words", core::strings_json(in.route.cue->words)}};
  return {{"id", id},
          {"placement", std::move(placement)},
          {"route", std::move(route)},
          {"cue", std::move(cue)},
          {"auto_dispatch", core::may_auto_dispatch(*rules.deployment, in)}};
}

}  // namespace huying::core
