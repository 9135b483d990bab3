// The one way every command loads a deployment's rules: serve at start and on
// SIGHUP, simulate, route, replay and check-config.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "db/pg_store.hpp"
#include "db/store.hpp"
#include "dispatcher/config/config_load.hpp"
#include "dispatcher/core/routing.hpp"

namespace huying::app {

struct LoadedRules {
  std::shared_ptr<const core::Deployment> deployment;
  std::shared_ptr<const core::RuleSet> rules;  // null when the config has errors
  std::vector<core::ConfigError> errors;       // each with file, line and reason
  bool ok() const { return rules != nullptr; }
};

// Loads and validates DIR, then builds the routing, escalation and SLA rules.
// Never throws: every problem is an error in the result.
LoadedRules load_rules(const std::string& dir);

// Opens (creating its folder first) the SQLite store; null, after logging the
// path and the reason, when it cannot.
// A SQLite file, or a PostgreSQL URL (then `schema`, if given, holds the
// tables, and `lease`, if given, is the district's lease the writer holds).
std::unique_ptr<db::Store> open_store(const std::string& path, const std::string& schema = "",
                                      std::shared_ptr<db::PgLease> lease = nullptr);
// The same for reading only (reports, replay): on PostgreSQL no writer and
// no migration, and a hot standby will do.
std::unique_ptr<db::Store> open_store_read_only(const std::string& path,
                                                const std::string& schema = "");

}  // namespace huying::app
