// Orders: create, read with history, list and search, every lifecycle
// command, and the queues (a department's by deadline; the desk's inbox).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "dispatcher/core/access.hpp"
#include "dispatcher/core/command_args.hpp"
#include "dispatcher/core/order.hpp"
#include "dispatcher/server/api.hpp"

namespace huying::server {

namespace json = boost::json;
using core::Role;

namespace {

// An event as the API shows it, without its data: seq, at, type, actor.
json::object event_head(const core::Event& e, json::storage_ptr sp = {}) {
  return json::object(
      {{"seq", e.seq},
       {"at", e.at},
       {"type", core::name(e.type)},
       {"actor",
        {{"user", e.actor.user}, {"role", core::name(e.actor.role)}, {"dept", e.actor.dept}}}},
      std::move(sp));
}

json::array events_json(const std::vector<core::Event>& events, const core::Actor& a) {
  json::array out;
  out.reserve(events.size());
  for (const auto& e : events) {
    json::object j = event_head(e);
    j["data"] = core::redact_event_data(e.data, a);
    out.push_back(std::move(j));
  }
  return out;
}

// The events as events_json writes them, serialised straight into `out`:
// an event's data (the created event's carries the whole intake, placement
// and routing) is written from where it is, not first copied into a DOM.
void append_events(std::string& out, const std::vector<core::Event>& events, const core::Actor& a) {
  out += '[';
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    if (i > 0) out += ',';
    unsigned char buf[1024];
    json::monotonic_resource mr(buf, sizeof buf);
    std::string h = json::serialize(event_head(e, &mr));
    h.pop_back();  // the closing brace: the data follows
    out += h;
    out += ",\"data\":";
    out += core::sees_contact(a.role) ? json::serialize(e.data)
                                      : json::serialize(core::redact_event_data(e.data, a));
    out += '}';
  }
  out += ']';
}

// The answer to a command: the order as the caller may see it, what the
// command appended, and the other orders it changed. Built later, on the
// connection's strand (the engine's strand only moves the reply).
HttpResponse reply_json(unsigned status, engine::Reply r, const core::Actor& a, core::Millis now) {
  HttpResponse res;
  res.status = status;
  res.finish = [r = std::move(r), a, now](HttpResponse& out) mutable {
    json::array also;
    for (const auto& n : r.also_changed) also.emplace_back(n);
    std::string body = "{\"order\":";
    body += api::order_text(r.order, a, now, std::move(r.order_doc));
    body += ",\"events\":";
    append_events(body, r.events, a);
    body += ",\"also_changed\":";
    body += json::serialize(also);
    body += r.replayed ? ",\"replayed\":true}" : ",\"replayed\":false}";
    out.body = std::move(body);
  };
  return res;
}

bool printable_ascii(std::string_view s) {
  for (char c : s)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

// The area filter: a district (6 digits), street (9) or community (12) code,
// given as a 12-digit code; its trailing "000" groups widen it.
std::string area_prefix(const std::string& code) {
  std::string p = code;
  while (p.size() > 6 && p.compare(p.size() - 3, 3, "000") == 0) p.resize(p.size() - 3);
  return p;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t c = s.find(',', pos);
    if (c == std::string::npos) c = s.size();
    if (c > pos) out.push_back(s.substr(pos, c - pos));
    pos = c + 1;
  }
  return out;
}

// Fills `f` from the query; answers 400 and returns false on a bad parameter.
bool read_filter(const Call& c, db::OrderFilter& f, core::Millis now) {
  const auto& r = *c.req;
  auto bad = [&](const std::string& field, std::string why) {
    c.respond(error_response(400, "invalid_field", field + " " + why, field));
    return false;
  };
  static const char* const kKnown[] = {"status",  "dept",    "area", "kind",  "category", "mode",
                                       "urgency", "channel", "from", "to",    "overdue",  "warned",
                                       "flags",   "q",       "open", "limit", "cursor",   "offset"};
  for (const auto& [k, v] : r.query) {
    bool known = false;
    for (const char* n : kKnown) known = known || k == n;
    if (!known) return bad(k, "is not a filter of this list");
  }
  if (auto* s = r.param("status"))
    for (const auto& name : split_list(*s)) {
      auto st = core::parse<core::Status>(name);
      if (!st) return bad("status", "must be one or more of " + core::choices<core::Status>());
      f.statuses.push_back(*st);
    }
  if (auto* d = r.param("dept")) f.dept = *d;
  if (auto* a = r.param("area")) {
    if (!core::valid_area_code(*a)) return bad("area", "must be a 12-digit area code");
    f.area_prefix = area_prefix(*a);
  }
  if (auto* k = r.param("kind")) {
    f.kind = core::parse<core::Kind>(*k);
    if (!f.kind) return bad("kind", "must be one of " + core::choices<core::Kind>());
  }
  if (auto* m = r.param("mode")) {
    f.mode = core::parse<core::Mode>(*m);
    if (!f.mode) return bad("mode", "must be one of " + core::choices<core::Mode>());
  }
  if (auto* u = r.param("urgency")) {
    f.urgency = core::parse<core::Urgency>(*u);
    if (!f.urgency) return bad("urgency", "must be one of " + core::choices<core::Urgency>());
  }
  if (auto* ch = r.param("channel")) {
    f.channel = core::parse<core::Channel>(*ch);
    if (!f.channel) return bad("channel", "must be one of " + core::choices<core::Channel>());
  }
  if (auto* cat = r.param("category")) {
    if (cat->size() > core::kMaxShort) return bad("category", "is too long");
    f.category_prefix = *cat;
  }
  for (const char* key : {"from", "to"}) {
    if (auto* t = r.param(key)) {
      auto ms = api::time_param(*t);
      if (!ms) return bad(key, "must be a date (2025-10-01) or epoch milliseconds");
      (std::string_view(key) == "from" ? f.created_from : f.created_to) =
          std::string_view(key) == "to" && t->size() == 10 ? *ms + core::kDay : *ms;
    }
  }
  auto flag_param = [&](const char* key, bool& out) {
    if (auto* v = r.param(key)) {
      if (*v == "true" || *v == "1")
        out = true;
      else if (*v == "false" || *v == "0")
        out = false;
      else
        return bad(key, "must be true or false");
    }
    return true;
  };
  bool overdue = false, warned = false;
  if (!flag_param("overdue", overdue) || !flag_param("warned", warned) ||
      !flag_param("open", f.only_open))
    return false;
  if (overdue) f.overdue_at = now;
  if (warned)
    f.sla_flags_any = core::kClaimWarned | core::kReplyWarned | core::kVisitWarned |
                      core::kResultWarned | core::kNoteWarned;
  if (auto* fl = r.param("flags"))
    for (const auto& name : split_list(*fl)) {
      if (std::find(core::kOrderFlags.begin(), core::kOrderFlags.end(), name) ==
          core::kOrderFlags.end()) {
        std::string all;
        for (auto k : core::kOrderFlags) all += (all.empty() ? "" : ", ") + std::string(k);
        return bad("flags", "must be one or more of " + all);
      }
      f.flags.push_back(name);
    }
  if (auto* q = r.param("q")) {
    if (q->size() > core::kMaxShort) return bad("q", "is too long (at most 200 bytes)");
    f.text = *q;
  }
  std::string which;
  if (auto l = api::int_param(r, "limit", 1, 500, which)) f.limit = static_cast<int>(*l);
  if (auto cur = api::int_param(r, "cursor", 1, INT64_MAX / 2, which)) f.before_id = *cur;
  if (auto off = api::int_param(r, "offset", 0, 1000000, which)) f.offset = static_cast<int>(*off);
  if (!which.empty()) return bad(which, "must be a whole number in range");
  // The caller's scope, whatever they asked for.
  core::Scope sc = core::visible_scope(c.actor());
  f.scope_all = sc.all;
  f.scope_dept = sc.dept;
  f.scope_area_prefix = sc.area_prefix;
  return true;
}

json::object page_json(const db::OrderPage& page, const core::Actor& a, core::Millis now,
                       bool cursor) {
  json::array items;
  for (const auto& o : page.items) items.push_back(api::order_json(o, a, now));
  json::object out{{"items", std::move(items)}, {"total", page.total}};
  out["next_cursor"] = cursor && !page.items.empty()
                           ? json::value(std::to_string(page.items.back().id))
                           : json::value(nullptr);
  return out;
}

}  // namespace

void Api::add_order_routes() {
  // Create: the hotline logs a call (others may open 主动办 / patrol orders
  // as the core allows). Idempotency-Key makes a retry safe.
  router_.add("POST", "/api/v1/orders", kAnyRole, [this](Call c) {
    auto body = api::body_object(c);
    if (!body) return;
    const std::string& key = c.req->idempotency_key;
    if (key.size() > 200 || !printable_ascii(key))
      return c.respond(error_response(400, "invalid_field",
                                      "Idempotency-Key must be 1 to 200 printable ASCII characters",
                                      "Idempotency-Key"));
    if (auto bad = core::unknown_field(core::CommandType::create, *body))
      return c.respond(api::rejection(*bad));
    engine::Request req;
    req.cmd = {core::CommandType::create, std::move(*body)};
    req.actor = c.actor();
    req.idempotency_key = key;
    s_.engine.execute(std::move(req), [this, c](engine::Reply r) {
      if (!r.ok()) return c.respond(api::rejection(*r.rejection));
      const bool replayed = r.replayed;
      const std::string location = "/api/v1/orders/" + r.order.number;
      HttpResponse res = reply_json(201, std::move(r), c.actor(), s_.clock.now());
      res.headers.emplace_back("Location", location);
      if (replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
      c.respond(std::move(res));
    });
  });

  // One order with its history, routing reason and placement evidence.
  router_.add("GET", "/api/v1/orders/{no}", kAnyRole, [this](Call c) {
    const std::string& no = c.param("no");
    auto h = no.size() <= 40 ? s_.store.get_order(no) : std::nullopt;
    if (!h || !core::can_see(h->order, c.actor()))
      return c.respond(error_response(404, "not_found", "no order numbered " + no, "no"));
    json::object out{{"order", api::order_json(h->order, c.actor(), s_.clock.now())},
                     {"history", events_json(h->events, c.actor())}};
    out["routing"] =
        h->order.proposal ? json::value(core::to_json(*h->order.proposal)) : json::value(nullptr);
    json::value placement = nullptr;
    if (!h->events.empty())
      if (auto* p = h->events.front().data.if_contains("placement")) placement = *p;
    out["placement"] = std::move(placement);
    c.respond(json_response(200, out));
  });

  // List and search, newest first, within the caller's scope; cursor paging.
  router_.add("GET", "/api/v1/orders", kAnyRole, [this](Call c) {
    const core::Millis now = s_.clock.now();
    db::OrderFilter f;
    if (!read_filter(c, f, now)) return;
    c.respond(json_response(200, page_json(s_.store.list_orders(f), c.actor(), now, true)));
  });

  // Every lifecycle command: POST /api/v1/orders/{no}/{command} with the
  // order's version (body "version" or If-Match) and the command's fields.
  router_.add("POST", "/api/v1/orders/{no}/{command}", kAnyRole, [this](Call c) {
    auto type = core::parse<core::CommandType>(c.param("command"));
    if (!type || *type == core::CommandType::create)
      return c.respond(error_response(404, "not_found",
                                      "no command " + c.param("command") + " (one of " +
                                          core::choices<core::CommandType>() + ", not create)",
                                      "command"));
    auto body = api::body_object(c);
    if (!body) return;
    std::optional<std::uint32_t> version;
    if (auto* v = body->if_contains("version")) {
      if (v->is_int64() && v->get_int64() >= 0 && v->get_int64() <= UINT32_MAX)
        version = static_cast<std::uint32_t>(v->get_int64());
      else if (v->is_uint64() && v->get_uint64() <= UINT32_MAX)
        version = static_cast<std::uint32_t>(v->get_uint64());
      else
        return c.respond(error_response(
            400, "invalid_field", "version must be the order's version (an integer)", "version"));
      body->erase("version");
    } else if (!c.req->if_match.empty()) {
      std::string im = c.req->if_match;
      if (im.size() >= 2 && im.front() == '"' && im.back() == '"') im = im.substr(1, im.size() - 2);
      if (auto x = api::parse_int(im, 0, UINT32_MAX))
        version = static_cast<std::uint32_t>(*x);
      else
        return c.respond(error_response(400, "invalid_field",
                                        "If-Match must be the order's version", "If-Match"));
    } else {
      return c.respond(error_response(
          400, "missing_field",
          "version is required: the order's version you acted on (body or If-Match)", "version"));
    }
    if (auto bad = core::unknown_field(*type, *body)) return c.respond(api::rejection(*bad));
    engine::Request req;
    req.cmd = {*type, std::move(*body)};
    req.actor = c.actor();
    req.number = c.param("no");
    req.expected_version = version;
    s_.engine.execute(std::move(req), [this, c](engine::Reply r) {
      const core::Millis now = s_.clock.now();
      if (r.ok()) return c.respond(reply_json(200, std::move(r), c.actor(), now));
      HttpResponse res = api::rejection(*r.rejection);
      if (r.rejection->code == core::RejectCode::stale) {
        // The current state, so the caller can show it and decide again.
        auto doc = json::parse(res.body).as_object();
        doc["current"] = api::order_json(r.order, c.actor(), now);
        res.body = json::serialize(doc);
      }
      c.respond(std::move(res));
    });
  });

  // A department's open orders, soonest deadline first.
  router_.add("GET", "/api/v1/queues/department", kAnyRole, [this](Call c) {
    const auto& a = c.actor();
    std::string dept;
    const std::string* asked = c.req->param("dept");
    if (!a.dept.empty()) {
      if (asked && *asked != a.dept)
        return c.respond(error_response(403, "out_of_scope",
                                        "you see your own department's queue only", "dept"));
      dept = a.dept;
    } else if (a.role == Role::dispatcher || a.role == Role::admin || a.role == Role::leader ||
               a.role == Role::operator_) {
      if (!asked || asked->empty())
        return c.respond(
            error_response(400, "missing_field", "dept is required: whose queue?", "dept"));
      dept = *asked;
    } else {
      return c.respond(error_response(403, "forbidden", "no department queue for this role"));
    }
    db::OrderFilter f;
    f.dept = dept;
    f.only_open = true;
    f.by_deadline = true;
    std::string bad;
    if (auto l = api::int_param(*c.req, "limit", 1, 500, bad)) f.limit = static_cast<int>(*l);
    if (auto o = api::int_param(*c.req, "offset", 0, 1000000, bad)) f.offset = static_cast<int>(*o);
    if (!bad.empty())
      return c.respond(error_response(400, "invalid_field", bad + " is out of range", bad));
    const core::Millis now = s_.clock.now();
    auto out = page_json(s_.store.list_orders(f), a, now, false);
    out["dept"] = dept;
    c.respond(json_response(200, out));
  });

  // The dispatch desk's inbox: new calls, places to check, returns, 疑难.
  router_.add(
      "GET", "/api/v1/queues/desk", roles({Role::dispatcher, Role::admin, Role::operator_}),
      [this](Call c) {
        const core::Millis now = s_.clock.now();
        std::string bad;
        int limit = 100;
        if (auto l = api::int_param(*c.req, "limit", 1, 500, bad)) limit = static_cast<int>(*l);
        if (!bad.empty())
          return c.respond(error_response(400, "invalid_field", bad + " is out of range", bad));
        auto bucket = [&](auto fill) {
          db::OrderFilter f;
          f.only_open = true;
          f.by_deadline = false;
          f.limit = limit;
          fill(f);
          return page_json(s_.store.list_orders(f), c.actor(), now, false);
        };
        json::object out{
            {"received", bucket([](db::OrderFilter& f) { f.statuses = {core::Status::received}; })},
            {"review", bucket([](db::OrderFilter& f) { f.flags = {"needs_review"}; })},
            {"returned", bucket([](db::OrderFilter& f) { f.statuses = {core::Status::returned}; })},
            {"difficult", bucket([](db::OrderFilter& f) { f.flags = {"difficult"}; })}};
        c.respond(json_response(200, out));
      });
}

}  // namespace huying::server
