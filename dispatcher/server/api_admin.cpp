// Sign-in (the session resource), users, config reload, the audit trail and
// the KPI reports.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "dispatcher/core/command_args.hpp"
#include "dispatcher/engine/reports.hpp"
#include "dispatcher/server/api.hpp"

namespace huying::server {

namespace json = boost::json;
using core::Role;

namespace {

json::object user_json(const UserInfo& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"role", core::name(u.role)},
          {"dept", u.dept},
          {"area", u.area},
          {"disabled", u.disabled},
          {"source", u.from_config ? "config" : "api"}};
}

json::object principal_json(const Principal& p) {
  return {{"id", p.actor.user},
          {"name", p.name},
          {"role", core::name(p.actor.role)},
          {"dept", p.actor.dept},
          {"area", p.actor.area}};
}

// Reads a user spec from the admin API's body; answers 400 and returns
// nullopt on a bad field. Unknown fields are refused, so a typo is not
// silently ignored.
std::optional<UserSpec> read_user(const Call& c, json::object& body, bool create) {
  for (const auto& kv : body) {
    static const char* const kKnown[] = {"id",   "name",     "role",    "dept",
                                         "area", "password", "disabled"};
    bool known = false;
    for (const char* k : kKnown) known = known || kv.key() == k;
    if (!known) {
      c.respond(error_response(400, "unknown_field",
                               std::string(kv.key()) + " is not a field of a user",
                               std::string(kv.key())));
      return std::nullopt;
    }
  }
  core::Args a(body);
  UserSpec s;
  if (create) {
    s.id = a.str("id", true, 64);
    if (!a.error()) {
      for (char ch : s.id)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.'))
          a.fail(core::RejectCode::invalid_field, "id", "may hold letters, digits, - _ . only");
    }
  } else {
    s.id = c.param("id");
  }
  if (body.contains("name")) s.name = a.str("name", true, 100);
  if (body.contains("role")) s.role = a.enumeration<Role>("role", true);
  if (create && !body.contains("role"))
    a.fail(core::RejectCode::missing_field, "role", "is required");
  if (body.contains("dept")) s.dept = a.str("dept", false, 64);
  if (body.contains("area")) s.area = a.str("area", false, 12);
  if (body.contains("password")) s.password = a.str("password", true, 200);
  if (body.contains("disabled")) s.disabled = a.boolean("disabled", true);
  if (a.error()) {
    c.respond(api::rejection(*a.error()));
    return std::nullopt;
  }
  return s;
}

HttpResponse admin_response(const AdminResult& r, unsigned ok_status) {
  if (r.status != 200) return error_response(r.status, r.code, r.message, r.field);
  return json_response(ok_status, json::object{{"user", user_json(*r.user)}});
}

}  // namespace

void Api::add_admin_routes() {
  // Sign in: a session token for API clients, and the same as an HttpOnly
  // cookie for the pages.
  router_.add("POST", "/api/v1/session", kPublic, [this](Call c) {
    auto body = api::body_object(c);
    if (!body) return;
    core::Args a(*body);
    std::string user = a.str("user", true, 64);
    std::string password = a.str("password", true, 200);
    if (a.error()) return c.respond(api::rejection(*a.error()));
    auth_.login(user, password, c.req->remote, [c](LoginResult r) {
      if (r.status != 200) {
        HttpResponse res = error_response(r.status, r.code, r.message);
        if (r.retry_after > 0)
          res.headers.emplace_back("Retry-After", std::to_string((r.retry_after + 999) / 1000));
        return c.respond(std::move(res));
      }
      HttpResponse res = json_response(200, json::object{{"token", r.token},
                                                         {"expires_at", r.expires_at},
                                                         {"user", principal_json(*r.who)}});
      res.headers.emplace_back("Set-Cookie", std::string(Auth::kCookie) + "=" + r.token +
                                                 "; Path=/; HttpOnly; SameSite=Strict");
      c.respond(std::move(res));
    });
  });

  router_.add("GET", "/api/v1/session", kAnyRole, [](Call c) {
    c.respond(json_response(200, json::object{{"user", principal_json(*c.who)}}));
  });

  router_.add("DELETE", "/api/v1/session", kAnyRole, [this](Call c) {
    auth_.logout(*c.who, [c] {
      HttpResponse res = json_response(200, json::object{{"signed_out", true}});
      res.headers.emplace_back("Set-Cookie", std::string(Auth::kCookie) +
                                                 "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
      c.respond(std::move(res));
    });
  });

  const RoleSet admin = roles({Role::admin});

  router_.add("GET", "/api/v1/admin/users", admin, [this](Call c) {
    json::array items;
    for (const auto& u : auth_.users()) items.push_back(user_json(u));
    c.respond(json_response(200, json::object{{"items", std::move(items)}}));
  });

  router_.add("POST", "/api/v1/admin/users", admin, [this](Call c) {
    auto body = api::body_object(c);
    if (!body) return;
    auto spec = read_user(c, *body, true);
    if (!spec) return;
    auth_.put_user(*spec, true, c.actor(),
                   [c](AdminResult r) { c.respond(admin_response(r, 201)); });
  });

  router_.add("PATCH", "/api/v1/admin/users/{id}", admin, [this](Call c) {
    auto body = api::body_object(c);
    if (!body) return;
    auto spec = read_user(c, *body, false);
    if (!spec) return;
    auth_.put_user(*spec, false, c.actor(),
                   [c](AdminResult r) { c.respond(admin_response(r, 200)); });
  });

  // Reload the config: checked first; a bad one is refused with every error
  // and the running rules stay.
  router_.add("POST", "/api/v1/admin/reload", admin, [this](Call c) {
    if (!s_.reload)
      return c.respond(error_response(409, "no_config", "the server runs without a config"));
    ReloadResult r = s_.reload();
    json::array errors;
    for (const auto& e : r.errors) errors.push_back(json::string(e));
    db::Batch b;
    b.audit.push_back({s_.clock.now(), c.actor(), "config.reload", r.version,
                       json::serialize(json::object{{"ok", r.ok}, {"errors", errors.size()}})});
    if (r.ok) on_rules_changed();
    s_.store.submit(std::move(b), [c, r, errors](const db::CommitStatus&) mutable {
      if (!r.ok) {
        HttpResponse res = error_response(
            422, "config_invalid",
            std::to_string(errors.size()) + " error(s) in the config; the running rules stay");
        auto doc = json::parse(res.body).as_object();
        doc["errors"] = std::move(errors);
        res.body = json::serialize(doc);
        return c.respond(std::move(res));
      }
      c.respond(json_response(200, json::object{{"ok", true}, {"version", r.version}}));
    });
  });

  router_.add("GET", "/api/v1/audit", admin, [this](Call c) {
    db::AuditQuery q;
    const auto& r = *c.req;
    for (const char* key : {"from", "to"})
      if (auto* t = r.param(key)) {
        auto ms = api::time_param(*t);
        if (!ms)
          return c.respond(error_response(400, "invalid_field",
                                          std::string(key) + " must be a date or epoch ms", key));
        (std::string_view(key) == "from" ? q.from : q.to) = *ms;
      }
    if (auto* a = r.param("actor")) q.actor = *a;
    std::string bad;
    if (auto l = api::int_param(r, "limit", 1, 1000, bad)) q.limit = static_cast<int>(*l);
    if (!bad.empty())
      return c.respond(error_response(400, "invalid_field", "limit must be 1 to 1000", "limit"));
    json::array items;
    for (const auto& row : s_.store.list_audit(q)) {
      json::error_code ec;
      json::value detail = json::parse(row.detail, ec);
      if (ec) detail = json::object{};
      items.push_back(json::object{{"at", row.at},
                                   {"actor", row.actor.user},
                                   {"role", core::name(row.actor.role)},
                                   {"dept", row.actor.dept},
                                   {"action", row.action},
                                   {"target", row.target},
                                   {"detail", std::move(detail)}});
    }
    c.respond(json_response(200, json::object{{"items", std::move(items)}}));
  });

  // KPIs over a window, by department, street or category; JSON or CSV.
  router_.add("GET", "/api/v1/reports", roles({Role::leader, Role::admin, Role::dispatcher}),
              [this](Call c) {
                const auto& r = *c.req;
                // A department's leader sees their own department's row only.
                const std::string& only = c.actor().dept;
                const std::string* from_s = r.param("from");
                const std::string* to_s = r.param("to");
                auto from = from_s ? api::time_param(*from_s) : std::nullopt;
                auto to = to_s ? api::time_param(*to_s) : std::nullopt;
                if (!from)
                  return c.respond(error_response(400, "invalid_field",
                                                  "from must be a date (2025-10-01)", "from"));
                if (!to)
                  return c.respond(
                      error_response(400, "invalid_field", "to must be a date (2025-10-31)", "to"));
                if (to_s->size() == 10) *to += core::kDay;  // a date is inclusive
                if (*to <= *from || *to - *from > 400 * core::kDay)
                  return c.respond(error_response(
                      400, "invalid_field", "to must be after from, at most 400 days later", "to"));
                auto by = engine::parse_group(r.param("by") ? *r.param("by") : "department");
                if (!by)
                  return c.respond(error_response(
                      400, "invalid_field", "by must be department, street or category", "by"));
                if (!only.empty() && *by != core::KpiGroup::department)
                  return c.respond(error_response(403, "out_of_scope",
                                                  "a department's leader sees their department's "
                                                  "KPIs (by=department) only",
                                                  "by"));
                const std::string* format = r.param("format");
                if (format && *format != "json" && *format != "csv")
                  return c.respond(
                      error_response(400, "invalid_field", "format must be json or csv", "format"));
                core::Kpi kpi = engine::compute_kpis(s_.store, *from, *to);
                if (format && *format == "csv") {
                  HttpResponse res;
                  res.content_type = "text/csv; charset=utf-8";
                  res.body = engine::kpi_csv(kpi, *by, only);
                  res.headers.emplace_back("Content-Disposition",
                                           "attachment; filename=\"huying-report.csv\"");
                  return c.respond(std::move(res));
                }
                c.respond(json_response(200, engine::kpi_json(kpi, *by, *from, *to, only)));
              });
}

}  // namespace huying::server
