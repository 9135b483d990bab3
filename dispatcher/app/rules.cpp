#include "dispatcher/app/rules.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "db/pg_store.hpp"

namespace huying::app {

LoadedRules load_rules(const std::string& dir) {
  LoadedRules out;
  try {
    auto res = core::load_deployment(dir);
    const bool ok = res.ok();  // before the errors are moved out of it
    out.errors = std::move(res.errors);
    if (!ok) return out;
    out.deployment = res.deployment;
    out.rules = core::make_rule_set(res.deployment);
  } catch (const std::exception& e) {
    out.rules = nullptr;
    out.errors.push_back({dir, 0, e.what()});
  }
  return out;
}

std::unique_ptr<db::Store> open_store(const std::string& path, const std::string& schema,
                                      std::shared_ptr<db::PgLease> lease) {
  if (db::is_pg_url(path)) {
    try {
      return db::open_pg_store({.url = path, .schema = schema, .writer = {}, .lease = lease});
    } catch (const std::exception& e) {
      spdlog::error("store {}: {}", db::db_label(path), e.what());
      return nullptr;
    }
  }
  if (auto parent = std::filesystem::path(path).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
  }
  try {
    return db::open_sqlite_store({.path = path});
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return nullptr;
  }
}

std::unique_ptr<db::Store> open_store_read_only(const std::string& path,
                                                const std::string& schema) {
  if (!db::is_pg_url(path)) return open_store(path);
  try {
    db::PgOptions o;
    o.url = path;
    o.schema = schema;
    o.read_only = true;
    return db::open_pg_store(o);
  } catch (const std::exception& e) {
    spdlog::error("store {}: {}", db::db_label(path), e.what());
    return nullptr;
  }
}

}  // namespace huying::app
