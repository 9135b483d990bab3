// KPI reports over the stored event log, for `huying report` and the API.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "db/store.hpp"
#include "dispatcher/core/kpi.hpp"

namespace huying::engine {

// The KPIs of the orders in `store` over [from, to): one pass over the events.
core::Kpi compute_kpis(db::Store& store, core::Millis from, core::Millis to);

// "department" | "street" | "category", and back (nullopt when unknown).
std::string_view group_name(core::KpiGroup g);
std::optional<core::KpiGroup> parse_group(std::string_view s);

// {"from", "to", "by", "total": {...}, "groups": [{"key", ...}]}: each rate
// with its numerator and denominator.
// `only`: one group's row alone, as the total too (a department leader's
// view of their own department).
boost::json::object kpi_json(const core::Kpi& kpi, core::KpiGroup by, core::Millis from,
                             core::Millis to, const std::string& only = {});
// The same as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese
// keys): one line per group, then the total.
std::string kpi_csv(const core::Kpi& kpi, core::KpiGroup by, const std::string& only = {});

}  // namespace huying::engine
