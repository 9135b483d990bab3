// The route preview: where a (perhaps half-typed) request would be placed
// and routed under a rule set, without creating anything. Used by the
// operator console while a call is being logged and by `huying route`.
#pragma once

#include <boost/json/object.hpp>

#include "dispatcher/core/routing.hpp"

namespace huying::core {

// `request`: JSON with optional id, kind, urgency, category, address, text,
// area and point ({"lat", "lng"} or [lng, lat]). Returns {id, placement,
// route, cue, auto_dispatch}, or {id, error: {field, reason}} for a bad field.
boost::json::object route_preview(const RuleSet& rules, const boost::json::object& request);

}  // namespace huying::core
