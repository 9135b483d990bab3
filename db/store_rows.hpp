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

// How a store's SQL names a bound value and a document field: the one
// difference between the stores' list queries.
class SqlDialect {
 public:
  virtual ~SqlDialect() = default;
  // Binds a value; returns its placeholder (binds are numbered in call order).
  virtual std::string text(std::string v) = 0;
  virtual std::string integer(std::int64_t v) = 0;
  // A document field as text, as an integer; a condition: the field is true.
  virtual std::string doc_text(const std::string& field) const = 0;
  virtual std::string doc_int(const std::string& field) const = 0;
  virtual std::string doc_true(const std::string& field) const = 0;
  // The condition: the order is open.
  virtual std::string is_open() const = 0;
};

// list_orders' query over `orders`: the WHERE clause of the count (which
// ignores the cursor; binds 0..count_binds) and of the page (the count's
// plus the cursor), and the page's ORDER BY.
struct OrderQuery {
  std::string count_where;
  std::size_t count_binds = 0;
  std::string page_where;
  std::string order_by;
};
OrderQuery order_query(const OrderFilter& f, SqlDialect& d, std::size_t binds_before = 0);

}  // namespace huying::db
