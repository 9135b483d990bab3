// The store the unit tests run on: SQLite, or PostgreSQL when HUYING_TEST_PG
// holds a server's URL (tests/pg/*_suite.sh start one). On PostgreSQL each
// file name becomes a schema of its own, so a test that reopens "the same
// file" reopens the same tables.
#pragma once

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "db/pg_store.hpp"
#include "db/store.hpp"

namespace huying::test {

inline bool on_pg() {
  const char* pg = std::getenv("HUYING_TEST_PG");
  return pg && *pg;
}

inline std::unique_ptr<db::Store> open_store(
    const std::string& path, std::function<void(const std::string&)> on_fatal = {}) {
  if (on_pg()) {
    db::PgOptions o;
    o.url = std::getenv("HUYING_TEST_PG");
    o.schema = "t" + std::to_string(std::hash<std::string>{}(path) % 1000000000000ULL);
    o.writer.on_fatal = std::move(on_fatal);
    return db::open_pg_store(o);
  }
  db::SqliteOptions o{.path = path};
  o.on_fatal = std::move(on_fatal);
  return db::open_sqlite_store(o);
}

}  // namespace huying::test
