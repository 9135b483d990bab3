// What both stores derive the same way from an order change (SQLite and
// PostgreSQL write the same rows; only the SQL dialect differs).
#pragma once

#include <string>
#include <vector>

#include "db/store.hpp"

namespace huying::db {

// The normalised phone numbers of an order's callers (first and merged).
std::vector<std::string> caller_phones(const core::WorkOrder& o);

// A new order: its history starts in this change (no department rows yet).
bool starts_order(const Change& c);

// The callers' phones need (re)indexing: a new order, a caller added, an amendment.
bool callers_changed(const Change& c);

// `v` as a literal inside a LIKE pattern with ESCAPE '\'.
std::string like_literal(const std::string& v);

}  // namespace huying::db
