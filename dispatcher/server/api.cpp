#include "dispatcher/server/api.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "dispatcher/core/access.hpp"
#include "dispatcher/core/order.hpp"

namespace huying::server {

namespace json = boost::json;

namespace api {

std::optional<json::object> body_object(const Call& c) {
  const auto& r = *c.req;
  if (r.body.empty()) {
    c.respond(error_response(400, "missing_body", "a JSON object body is required"));
    return std::nullopt;
  }
  if (!r.content_type.empty() && r.content_type.find("json") == std::string::npos) {
    c.respond(error_response(415, "unsupported_media_type",
                             "send the body as application/json (got " + r.content_type + ")"));
    return std::nullopt;
  }
  json::error_code ec;
  json::parse_options opt;
  opt.max_depth = 32;
  json::value v = json::parse(r.body, ec, {}, opt);
  if (ec) {
    c.respond(error_response(400, "bad_json", "the body is not valid JSON: " + ec.message()));
    return std::nullopt;
  }
  if (!v.is_object()) {
    c.respond(error_response(400, "bad_json", "the body must be a JSON object"));
    return std::nullopt;
  }
  return std::move(v.get_object());
}

std::string_view code_name(core::RejectCode code) {
  switch (code) {
    case core::RejectCode::invalid_state:
      return "invalid_state";
    case core::RejectCode::forbidden:
      return "forbidden";
    case core::RejectCode::out_of_scope:
      return "out_of_scope";
    case core::RejectCode::missing_field:
      return "missing_field";
    case core::RejectCode::invalid_field:
      return "invalid_field";
    case core::RejectCode::not_found:
      return "not_found";
    case core::RejectCode::conflict:
      return "conflict";
    case core::RejectCode::internal:
      return "unavailable";
    case core::RejectCode::stale:
      return "stale_version";
  }
  return "invalid";
}

unsigned status_of(core::RejectCode code) {
  switch (code) {
    case core::RejectCode::invalid_state:
    case core::RejectCode::conflict:
    case core::RejectCode::stale:
      return 409;
    case core::RejectCode::forbidden:
    case core::RejectCode::out_of_scope:
      return 403;
    case core::RejectCode::missing_field:
    case core::RejectCode::invalid_field:
      return 400;
    case core::RejectCode::not_found:
      return 404;
    case core::RejectCode::internal:
      return 503;
  }
  return 400;
}

HttpResponse rejection(const core::Rejection& r) {
  return error_response(status_of(r.code), code_name(r.code), r.reason, r.field);
}

namespace {
// What the pages colour by, computed here so every page agrees: the current
// deadline and whether it has passed.
std::pair<core::Millis, bool> due_signals(const core::WorkOrder& o, core::Millis now) {
  const core::Millis due = core::current_due(o);
  return {due, due && now > due};
}
}  // namespace

json::object order_json(const core::WorkOrder& o, const core::Actor& a, core::Millis now,
                        json::storage_ptr sp) {
  // The roles that see the contact see the order as it is: no redacted copy.
  json::object j = core::sees_contact(a.role) ? core::to_json(o, std::move(sp))
                                              : core::to_json(core::redact(o, a), std::move(sp));
  const auto [due, overdue] = due_signals(o, now);
  j["due"] = due;
  j["overdue"] = overdue;
  return j;
}

std::string order_text(const core::WorkOrder& o, const core::Actor& a, core::Millis now,
                       std::string doc) {
  if (doc.empty() || doc.back() != '}' || !core::sees_contact(a.role)) {
    // The DOM lives only to be serialised: one arena, a stack buffer first.
    unsigned char buf[16384];
    json::monotonic_resource mr(buf, sizeof buf);
    return json::serialize(order_json(o, a, now, &mr));
  }
  // The store's document is to_json(o), which these roles see unredacted:
  // only the signals follow, as order_json appends them.
  const auto [due, overdue] = due_signals(o, now);
  doc.pop_back();
  doc += ",\"due\":" + std::to_string(due);
  doc += overdue ? ",\"overdue\":true}" : ",\"overdue\":false}";
  return doc;
}

std::optional<std::int64_t> parse_int(std::string_view v, std::int64_t lo, std::int64_t hi) {
  if (v.empty() || v.size() > 18) return std::nullopt;
  std::int64_t x = 0;
  for (char ch : v) {
    if (ch < '0' || ch > '9') return std::nullopt;
    x = x * 10 + (ch - '0');
  }
  if (x < lo || x > hi) return std::nullopt;
  return x;
}

std::optional<std::int64_t> int_param(const HttpRequest& r, std::string_view name, std::int64_t lo,
                                      std::int64_t hi, std::string& bad) {
  const std::string* v = r.param(name);
  if (!v) return std::nullopt;
  auto x = parse_int(*v, lo, hi);
  if (!x) bad = name;
  return x;
}

std::optional<core::Millis> time_param(const std::string& s) {
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
    int y = 0;
    unsigned m = 0, d = 0;
    if (std::sscanf(s.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3 || y < 2000 || y > 2100 || m < 1 ||
        m > 12 || d < 1 || d > 31)
      return std::nullopt;
    return core::shanghai_time({y, m, d}, 0, 0);
  }
  // 2025-10-08T10:00[:00][Z|+08:00|-05:00] (no zone: Asia/Shanghai). A '+'
  // that a form decoder made a space is taken as '+'.
  if (s.size() >= 16 && s[10] == 'T') {
    auto date = time_param(s.substr(0, 10));
    int hh = 0, mm = 0, ss = 0;
    auto two = [&](std::size_t at, int hi, int& out) {
      if (at + 2 > s.size() || !std::isdigit(static_cast<unsigned char>(s[at])) ||
          !std::isdigit(static_cast<unsigned char>(s[at + 1])))
        return false;
      out = (s[at] - '0') * 10 + (s[at + 1] - '0');
      return out <= hi;
    };
    if (!date || !two(11, 23, hh) || s[13] != ':' || !two(14, 59, mm)) return std::nullopt;
    std::size_t i = 16;
    if (i < s.size() && s[i] == ':') {
      if (!two(i + 1, 59, ss)) return std::nullopt;
      i += 3;
    }
    core::Millis t = *date + (hh * 3600 + mm * 60 + ss) * 1000LL;
    if (i == s.size()) return t;
    if (s[i] == 'Z' && i + 1 == s.size()) return t + core::kShanghaiOffset;
    int oh = 0, om = 0;
    if ((s[i] == '+' || s[i] == ' ' || s[i] == '-') && i + 6 == s.size() && two(i + 1, 14, oh) &&
        s[i + 3] == ':' && two(i + 4, 59, om)) {
      const core::Millis offset = (oh * 60 + om) * core::kMinute * (s[i] == '-' ? -1 : 1);
      return t + core::kShanghaiOffset - offset;
    }
    return std::nullopt;
  }
  return parse_int(s, 0, 9999999999999);  // epoch milliseconds
}

}  // namespace api

Api::Api(ApiServices services, AuthOptions auth)
    : s_(std::move(services)),
      auth_(s_.store, s_.clock, auth),
      hub_(std::make_shared<Hub>(s_.engine, auth_)) {
  on_rules_changed();
  auth_.load();
  add_routes();
  s_.engine.set_feed(hub_);
}

Api::~Api() { detach(); }

void Api::detach() {
  if (!detached_.exchange(true)) s_.engine.set_feed(nullptr);
}

void Api::on_rules_changed() {
  auto rules = this->rules();
  if (!rules) return;
  auth_.set_config_users(rules->deployment->users, [rules](const std::string& id) {
    return rules->router->dept(id) != nullptr;
  });
}

void Api::add_routes() {
  add_ops_routes();
  add_admin_routes();
  add_reference_routes();
  add_order_routes();
  add_console_routes();
  add_open311_routes();
  add_platform_routes();
  add_board_routes();
}

void Api::handle(std::shared_ptr<HttpRequest> req, Respond answer_to) {
  using clock = std::chrono::steady_clock;
  ++in_flight;
  Respond respond = [this, answer_to = std::move(answer_to)](HttpResponse r) {
    answer_to(std::move(r));
    --in_flight;
  };
  const auto start = clock::now();
  if (auto err = decode_target(req->target, *req))
    return respond(error_response(400, "bad_target", "the request target is malformed: " + *err));
  Match m = router_.match(req->method, req->path);
  if (!m.route && (req->method == "GET" || req->method == "HEAD"))
    if (auto page = site_.get(req->path)) {
      metrics_.observe(req->method, "(page)", page->status, 0);
      return respond(std::move(*page));
    }
  if (!m.route) {
    std::string route = m.wrong_method ? req->path : std::string("(unmatched)");
    HttpResponse r = m.wrong_method
                         ? error_response(405, "method_not_allowed",
                                          req->method + " is not allowed here; use " + m.allow)
                         : error_response(404, "not_found", "no such resource: " + req->path);
    if (m.wrong_method) r.headers.emplace_back("Allow", m.allow);
    metrics_.observe(req->method, "(unmatched)", r.status, 0);
    return respond(std::move(r));
  }
  if (s_.read_only && req->method != "GET" && req->method != "HEAD") {
    auto r = error_response(503, "read_only",
                            "只读副本：只提供查询，受理与办理请到主用服务。 (a read-only replica: "
                            "reads only; send changes to the active dispatcher)");
    metrics_.observe(req->method, m.route->pattern, r.status, 0);
    return respond(std::move(r));
  }
  Call call;
  call.req = req;
  call.params = std::move(m.params);
  const Route& route = *m.route;
  // One log line and one metrics sample per request, whoever answers, and
  // exactly one answer (a throwing handler is answered 500 below).
  struct Once {
    std::atomic<bool> done{false};
    std::string actor;  // set once signed in (for the log line)
    std::function<void(HttpResponse, const std::string&)> fn;
  };
  auto once = std::make_shared<Once>();
  once->fn = [this, respond = std::move(respond), start, method = req->method,
              pattern = route.pattern](HttpResponse r, const std::string& actor) {
    const double secs = std::chrono::duration<double>(clock::now() - start).count();
    metrics_.observe(method, pattern, r.status, secs);
    spdlog::info("http {} {} {} {:.1f}ms actor={}", method, pattern, r.status, secs * 1000,
                 actor.empty() ? "-" : actor);
    respond(std::move(r));
  };
  call.respond = [once](HttpResponse r) {
    if (once->done.exchange(true)) return;
    auto fn = std::move(once->fn);
    once->fn = nullptr;
    fn(std::move(r), once->actor);
  };
  Respond answer = call.respond;
  if (route.allowed != kPublic) {
    call.who = auth_.authenticate(*req);
    if (call.who) once->actor = call.who->actor.user;
    if (!call.who)
      return call.respond(
          error_response(401, "unauthenticated", "sign in first (POST /api/v1/session)"));
    if (!(route.allowed & role_bit(call.who->actor.role)))
      return call.respond(error_response(
          403, "forbidden",
          "a " + std::string(core::name(call.who->actor.role)) + " may not use " + route.pattern));
    if (!auth_.admit(call.who->session_id)) {
      HttpResponse r = error_response(429, "rate_limited", "too many requests; slow down");
      r.headers.emplace_back("Retry-After", "1");
      return call.respond(std::move(r));
    }
  }
  try {
    route.handler(std::move(call));
  } catch (const std::exception& e) {
    // A handler bug, not bad input (inputs are checked first): logged with the route.
    spdlog::error("http {} {}: {}", req->method, route.pattern, e.what());
    answer(error_response(500, "internal", "internal error; nothing was changed"));
  }
}

}  // namespace huying::server
