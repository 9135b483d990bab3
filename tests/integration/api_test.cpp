// The REST API of the real server over real sockets: the life of orders
// through every command, idempotency, optimistic concurrency, roles and
// scope, sign-in, operations.
#include <fstream>
#include <set>

#include "dispatcher/core/types.hpp"
#include "integration/harness.hpp"

using namespace huying::it;
namespace json = boost::json;

namespace {

const char* kCategory = "城市管理/市容环境/占道经营";

json::object intake(std::string description = "门口有人占道经营，堵住通道",
                    std::string phone = "13800001111") {
  return {{"kind", "complaint"},
          {"category", kCategory},
          {"address", "桂园街道文华社区红岭路12号"},
          {"description", std::move(description)},
          {"citizen", {{"name", "张三"}, {"phone", std::move(phone)}}}};
}

struct Tokens {
  std::string op, disp, clerk_gy, clerk_cg, clerk_zj, coord_gy, coord_dh, leader, leader_cg, admin;
  explicit Tokens(Server& s)
      : op(s.login("op1")),
        disp(s.login("disp1")),
        clerk_gy(s.login("clerk-cg-gy")),
        clerk_cg(s.login("clerk-cg")),
        clerk_zj(s.login("clerk-zj")),
        coord_gy(s.login("coord-gy")),
        coord_dh(s.login("coord-dh")),
        leader(s.login("leader1")),
        leader_cg(s.login("leader-cg")),
        admin(s.login("admin")) {}
};

// The order in the answer of a command or create.
json::object order_of(const Response& r) {
  INFO(r.body);
  REQUIRE(r.json().is_object());
  return r.json().at("order").as_object();
}

std::string str(const json::object& o, const char* k) { return std::string(o.at(k).as_string()); }
std::int64_t num(const json::object& o, const char* k) { return o.at(k).to_number<std::int64_t>(); }

std::string created(Server& s, const std::string& token, json::object body = intake()) {
  auto r = s.call(token, "POST", "/api/v1/orders", body);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return str(order_of(r), "number");
}

std::string status_of(Server& s, const std::string& no) {
  auto r = s.call(s.login("op1"), "GET", "/api/v1/orders/" + no);
  REQUIRE(r.status == 200);
  return str(r.json().at("order").as_object(), "status");
}

std::int64_t events_total(Server& s) {
  auto m = http(s.port, "GET", "/metrics");
  auto at = m.body.find("\nhuying_store_events_total ");
  REQUIRE(at != std::string::npos);
  return std::stoll(m.body.substr(at + 27));
}

}  // namespace

TEST_CASE("api: orders live their whole life over HTTP, through every command") {
  Server s;
  Tokens t(s);
  std::set<std::string> used;
  auto ok = [&](const std::string& token, const std::string& no, const std::string& cmd,
                json::object args, const char* want_status) {
    auto r = act(s, token, no, cmd, std::move(args));
    INFO(cmd << " on " << no << ": " << r.body);
    REQUIRE(r.status == 200);
    CHECK(str(order_of(r), "status") == want_status);
    used.insert(cmd);
    return order_of(r);
  };
  const json::object gy{{"lead", "cg-gy"}, {"area", "440699001001"}};

  // A: dispatched, claimed, noted, extended, urged, whistled, replied, called
  // back (once unanswered), rated and closed.
  std::string a = created(s, t.op);
  CHECK(status_of(s, a) == "received");
  ok(t.disp, a, "dispatch", gy, "dispatched");
  ok(t.clerk_gy, a, "claim", {}, "claimed");
  ok(t.clerk_gy, a, "note", {{"text", "已联系当事人"}}, "claimed");
  auto claimed = s.call(t.op, "GET", "/api/v1/orders/" + a).json().at("order").as_object();
  ok(t.clerk_gy, a, "request_extension",
     {{"reason", "需协调产权单位"}, {"new_due", num(claimed, "reply_due") + 3 * 86400000LL}},
     "claimed");
  ok(t.disp, a, "decide_extension", {{"approve", true}}, "claimed");
  ok(t.leader, a, "supervise", {{"comment", "请尽快办理"}, {"level", "supervise"}}, "claimed");
  ok(t.coord_gy, a, "whistle", {{"depts", {"zj"}}, {"comment", "需住建部门到场"}}, "claimed");
  ok(t.clerk_gy, a, "reply",
     {{"result", "已清理占道摊点"},
      {"onsite", {{"at", num(claimed, "claimed_at")}, {"by", "王队"}, {"place", "红岭路12号"}}}},
     "replied");
  ok(t.op, a, "callback_failed", {{"note", "无人接听"}}, "replied");
  ok(t.op, a, "visit", {{"solved", true}, {"satisfaction", "satisfied"}}, "visited");
  ok(t.op, a, "close", {}, "closed");

  // B: returned as not the department's, ruled by the desk, 改派, amended.
  std::string b = created(s, t.op, intake("路边垃圾堆积很久没人清理"));
  ok(t.disp, b, "dispatch", {{"lead", "cg"}, {"area", "440699001001"}}, "dispatched");
  ok(t.clerk_cg, b, "return", {{"reason", "not_our_duty"}, {"comment", "属街道职责"}}, "returned");
  ok(t.disp, b, "arbitrate", {{"lead", "cg-gy"}, {"ruling", "属地街道办理"}}, "dispatched");
  ok(t.disp, b, "redispatch", {{"lead", "cg"}, {"reason", "改由区城管局办理"}}, "dispatched");
  ok(t.op, b, "amend", {{"reason", "更正地址"}, {"address", "桂园街道文华社区红岭路14号"}},
     "dispatched");

  // C: answered at intake (立即办). D: handed to 110. E: merged. F: cancelled.
  json::object consult = intake("请问占道经营怎么投诉");
  consult["kind"] = "consult";
  std::string c = created(s, t.op, consult);
  ok(t.op, c, "answer",
     {{"answer", "已解答办理流程"}, {"solved", false}, {"satisfaction", "unsatisfied"}}, "visited");
  // Answered on the call and rated unsatisfied: back to the desk (no department had it).
  CHECK(status_of(s, c) == "visited");
  ok(t.op, c, "reopen", {{"reason", "市民仍有疑问"}}, "received");
  std::string d = created(s, t.op, intake("有人在路边打架"));
  ok(t.op, d, "transfer_emergency", {{"line", "110"}, {"reference", "110-2026-1"}}, "transferred");
  std::string e = created(s, t.op, intake("同一处占道经营"));
  ok(t.op, e, "merge", {{"into", b}}, "cancelled");
  std::string f = created(s, t.op, intake("误操作"));
  ok(t.op, f, "cancel", {{"reason", "误建"}}, "cancelled");

  // G: 跨域转办 out, acknowledged, the other side's result back for 回访.
  std::string g = created(s, t.op, intake("广州那边的问题"));
  ok(t.op, g, "transfer_out", {{"platform", "gz12345"}, {"reason", "属广州市管辖"}},
     "transferred_out");
  ok(t.disp, g, "external_ack", {{"reference", "GZ-1"}}, "transferred_out");
  ok(t.disp, g, "record_external_result", {{"result", "广州已处理"}}, "replied");

  // H: 积极办 with an assisting department's 协办意见, the rest waived.
  std::string h = created(s, t.op, intake("占道经营涉及违建"));
  ok(t.disp, h, "dispatch",
     {{"lead", "cg-gy"},
      {"assist", {"zj", "scjg"}},
      {"area", "440699001001"},
      {"mode", "coordinated"}},
     "dispatched");
  ok(t.clerk_gy, h, "claim", {}, "claimed");
  ok(t.clerk_zj, h, "assist_opinion", {{"text", "违建部分由住建局后续处理"}}, "claimed");
  ok(t.disp, h, "waive_opinions", {{"reason", "市场监管局逾期未反馈"}}, "claimed");

  // Every command of the domain went through the API (create above too).
  std::set<std::string> all;
  for (auto n : huying::core::EnumNames<huying::core::CommandType>::names)
    if (n != "create") all.insert(std::string(n));
  std::vector<std::string> missing;
  for (const auto& n : all)
    if (!used.count(n)) missing.push_back(n);
  INFO("commands never used: " << json::serialize(json::value_from(missing)));
  CHECK(missing.empty());

  // The history says who did what, in order.
  auto full = s.call(t.op, "GET", "/api/v1/orders/" + a).json().as_object();
  auto& hist = full.at("history").as_array();
  CHECK(hist.size() >= 10);
  CHECK(hist[0].at("type").as_string() == "created");
  CHECK(hist[0].at("actor").at("user").as_string() == "op1");
  CHECK(full.at("placement").is_object());
  CHECK(full.at("routing").is_object());
}

TEST_CASE("api: a retried create with the same Idempotency-Key returns the first order") {
  Server s;
  auto op = s.login("op1");
  Headers key{{"Idempotency-Key", "call-2026-0001"}};
  auto first = s.call(op, "POST", "/api/v1/orders", intake(), key);
  REQUIRE(first.status == 201);
  auto again = s.call(op, "POST", "/api/v1/orders", intake("a different text"), key);
  CHECK(again.status == 201);
  CHECK(again.headers["idempotent-replayed"] == "true");
  CHECK(str(order_of(again), "number") == str(order_of(first), "number"));
  // After a restart too (the key is stored with the order).
  s.restart();
  op = s.login("op1");
  auto late = s.call(op, "POST", "/api/v1/orders", intake(), key);
  CHECK(str(order_of(late), "number") == str(order_of(first), "number"));
  auto list = s.call(op, "GET", "/api/v1/orders");
  CHECK(list.json().at("total").to_number<int>() == 1);
  // A bad key is refused.
  auto bad = s.call(op, "POST", "/api/v1/orders", intake(), {{"Idempotency-Key", "a b"}});
  CHECK(bad.status == 400);
}

TEST_CASE("api: a stale version gets 409 with the current order and changes nothing") {
  Server s;
  auto op = s.login("op1");
  auto disp = s.login("disp1");
  std::string no = created(s, op);
  auto r1 = s.call(disp, "POST", "/api/v1/orders/" + no + "/dispatch",
                   json::object{{"version", 1}, {"lead", "cg-gy"}, {"area", "440699001001"}});
  REQUIRE(r1.status == 200);
  const auto before = events_total(s);
  auto r2 = s.call(disp, "POST", "/api/v1/orders/" + no + "/supervise",
                   json::object{{"version", 1}, {"comment", "催一下"}});
  CHECK(r2.status == 409);
  CHECK(r2.error_code() == "stale_version");
  CHECK(r2.json().at("current").at("status").as_string() == "dispatched");
  CHECK(r2.json().at("current").at("version").to_number<int>() == 2);
  CHECK(events_total(s) == before);
  // With the version in If-Match instead.
  auto r3 = s.call(disp, "POST", "/api/v1/orders/" + no + "/supervise",
                   json::object{{"comment", "催一下"}}, {{"If-Match", "\"2\""}});
  CHECK(r3.status == 200);
  // A stale version is no way to read an order out of one's scope: the
  // other department's clerk learns nothing, not even that it exists.
  auto other = s.login("clerk-zj");
  auto peek =
      s.call(other, "POST", "/api/v1/orders/" + no + "/claim", json::object{{"version", 0}});
  CHECK(peek.status == 404);
  CHECK(peek.body.find("13800001111") == std::string::npos);
  CHECK(peek.body.find("current") == std::string::npos);
  // Nor does a refusal name its state: a command the state would refuse is
  // still "no such order" to someone out of scope.
  auto state_peek = s.call(other, "POST", "/api/v1/orders/" + no + "/reply",
                           json::object{{"version", 3}, {"result", "x"}});
  CHECK(state_peek.status == 404);
  CHECK(state_peek.body.find("dispatched") == std::string::npos);
  auto op_peek =
      s.call(op, "POST", "/api/v1/orders/" + no + "/claim", json::object{{"version", 0}});
  CHECK(op_peek.status == 403);  // an operator may see it, but may not claim
  CHECK(op_peek.body.find("current") == std::string::npos);
  // Without any version: refused, naming the field.
  auto r4 = s.call(disp, "POST", "/api/v1/orders/" + no + "/supervise",
                   json::object{{"comment", "催一下"}});
  CHECK(r4.status == 400);
  CHECK(r4.json().at("error").at("field").as_string() == "version");
}

TEST_CASE(
    "api: every role x endpoint pair that is not allowed gets 401/403/404 and changes nothing") {
  Server s;
  Tokens t(s);
  // An order of 桂园 dispatched to the street's 城管中队.
  std::string no = created(s, t.op);
  REQUIRE(act(s, t.disp, no, "dispatch", {{"lead", "cg-gy"}, {"area", "440699001001"}}).status ==
          200);
  struct Who {
    const char* name;
    std::string token;
  };
  std::vector<Who> who{
      {"anonymous", ""},           {"operator", t.op},         {"dispatcher", t.disp},
      {"clerk-cg-gy", t.clerk_gy}, {"clerk-zj", t.clerk_zj},   {"coord-dh", t.coord_dh},
      {"leader", t.leader},        {"leader-cg", t.leader_cg}, {"admin", t.admin}};
  struct Endpoint {
    const char* method;
    std::string target;
    json::value body;
    // Who passes the role and scope checks (they may still get a 409 for
    // the order's state); everyone else must be refused.
    std::set<std::string> allowed;
  };
  const std::string o = "/api/v1/orders/" + no;
  std::vector<Endpoint> eps{
      // Departments open 主动办 orders themselves (this body lacks its source: 400).
      {"POST", "/api/v1/orders", intake(), {"operator", "clerk-cg-gy", "clerk-zj", "coord-dh"}},
      {"GET", o, nullptr, {"operator", "dispatcher", "clerk-cg-gy", "leader", "admin"}},
      {"POST", o + "/claim", json::object{{"version", 2}}, {"clerk-cg-gy"}},
      {"POST",
       o + "/supervise",
       json::object{{"version", 2}, {"comment", "x"}},
       {"dispatcher", "leader"}},
      {"POST", o + "/cancel", json::object{{"version", 2}, {"reason", "x"}}, {"operator"}},
      {"POST",
       o + "/visit",
       json::object{{"version", 2}, {"solved", true}, {"satisfaction", "satisfied"}},
       {"operator"}},
      {"GET", "/api/v1/admin/users", nullptr, {"admin"}},
      {"POST",
       "/api/v1/admin/users",
       json::object{{"id", "u-new"}, {"role", "operator"}, {"password", "secret-pass"}},
       {"admin"}},
      {"GET", "/api/v1/audit", nullptr, {"admin"}},
      {"GET", "/api/v1/queues/desk", nullptr, {"operator", "dispatcher", "admin"}},
      {"GET",
       "/api/v1/reports?from=2026-01-01&to=2026-12-31",
       nullptr,
       {"dispatcher", "leader", "leader-cg", "admin"}},
      {"POST",
       "/api/v1/route-preview",
       json::object{{"text", "占道经营"}},
       {"operator", "dispatcher", "admin"}},
      {"GET", "/api/v1/callers/13800001111/orders", nullptr, {"operator", "dispatcher", "admin"}},
      {"POST", "/api/v1/admin/reload", json::object{}, {"admin"}},
  };
  int refused = 0;
  for (const auto& ep : eps)
    for (const auto& w : who) {
      if (ep.allowed.count(w.name)) continue;
      const auto before = events_total(s);
      Headers h;
      if (!w.token.empty()) h.emplace_back("Authorization", "Bearer " + w.token);
      auto r =
          http(s.port, ep.method, ep.target, ep.body.is_null() ? "" : json::serialize(ep.body), h);
      INFO(w.name << " " << ep.method << " " << ep.target << " -> " << r.status << " " << r.body);
      CHECK((r.status == 401 || r.status == 403 || r.status == 404));
      CHECK(!r.error_code().empty());
      CHECK(events_total(s) == before);
      ++refused;
    }
  CHECK(refused > 60);
  // The allowed ones pass the role and scope checks (the order's state or
  // a field may still refuse them).
  for (const auto& ep : eps)
    for (const auto& w : who) {
      if (!ep.allowed.count(w.name)) continue;
      Headers h{{"Authorization", "Bearer " + w.token}};
      auto r =
          http(s.port, ep.method, ep.target, ep.body.is_null() ? "" : json::serialize(ep.body), h);
      INFO(w.name << " " << ep.method << " " << ep.target << " -> " << r.body);
      CHECK(r.status != 401);
      CHECK(r.status != 403);
      CHECK(r.status != 404);
    }
}

TEST_CASE("api: lists and queues show each role its own orders, and no contact where not allowed") {
  Server s;
  Tokens t(s);
  std::string gy = created(s, t.op);
  REQUIRE(act(s, t.disp, gy, "dispatch", {{"lead", "cg-gy"}, {"area", "440699001001"}}).status ==
          200);
  json::object report = intake("有人举报非法排污", "13900002222");
  report["kind"] = "report";
  report["category"] = "生态环境/水污染";
  report["confidential"] = true;
  std::string zj = created(s, t.op, report);
  auto d = act(s, t.disp, zj, "dispatch", {{"lead", "zj"}, {"area", "440699001001"}});
  INFO(d.body);
  REQUIRE(d.status == 200);

  auto numbers = [&](const std::string& token, const std::string& target) {
    std::set<std::string> out;
    auto r = s.call(token, "GET", target);
    INFO(target << ": " << r.body);
    REQUIRE(r.status == 200);
    const auto doc = r.json();
    for (const auto& it : doc.at("items").as_array())
      out.insert(std::string(it.at("number").as_string()));
    return out;
  };
  CHECK(numbers(t.op, "/api/v1/orders") == std::set<std::string>{gy, zj});
  CHECK(numbers(t.clerk_gy, "/api/v1/orders") == std::set<std::string>{gy});
  CHECK(numbers(t.clerk_zj, "/api/v1/orders") == std::set<std::string>{zj});
  CHECK(numbers(t.clerk_cg, "/api/v1/orders").empty());
  CHECK(numbers(t.coord_gy, "/api/v1/orders") == std::set<std::string>{gy, zj});  // their street
  CHECK(numbers(t.coord_dh, "/api/v1/orders").empty());
  CHECK(numbers(t.clerk_gy, "/api/v1/queues/department") == std::set<std::string>{gy});
  CHECK(s.call(t.clerk_gy, "GET", "/api/v1/queues/department?dept=zj").status == 403);
  CHECK(numbers(t.disp, "/api/v1/queues/department?dept=zj") == std::set<std::string>{zj});
  // A filter cannot widen the scope.
  CHECK(numbers(t.clerk_gy, "/api/v1/orders?dept=zj").empty());
  CHECK(s.call(t.clerk_gy, "GET", "/api/v1/orders/" + zj).status == 404);

  // Contact: the hotline sees it; the department sees the caller unless
  // confidential; leaders never.
  auto citizen = [&](const std::string& token, const std::string& no) {
    auto r = s.call(token, "GET", "/api/v1/orders/" + no);
    REQUIRE(r.status == 200);
    return r;
  };
  CHECK(citizen(t.op, zj).body.find("13900002222") != std::string::npos);
  CHECK(citizen(t.clerk_zj, zj).body.find("13900002222") == std::string::npos);
  CHECK(citizen(t.clerk_gy, gy).body.find("13800001111") != std::string::npos);
  for (const auto& no : {gy, zj}) {
    auto r = citizen(t.leader, no);
    CHECK(r.body.find("13800001111") == std::string::npos);
    CHECK(r.body.find("13900002222") == std::string::npos);
    CHECK(r.body.find("张三") == std::string::npos);
  }
  auto leader_list = s.call(t.leader, "GET", "/api/v1/orders");
  CHECK(leader_list.body.find("1380000") == std::string::npos);
  CHECK(leader_list.body.find("1390000") == std::string::npos);

  // Filters and cursor paging.
  CHECK(numbers(t.op, "/api/v1/orders?kind=report") == std::set<std::string>{zj});
  CHECK(numbers(t.op, "/api/v1/orders?q=%E6%8E%92%E6%B1%A1") == std::set<std::string>{zj});  // 排污
  CHECK(numbers(t.op, "/api/v1/orders?category=%E5%9F%8E%E5%B8%82%E7%AE%A1%E7%90%86") ==
        std::set<std::string>{gy});  // 城市管理
  CHECK(numbers(t.op, "/api/v1/orders?flags=confidential") == std::set<std::string>{zj});
  auto p1 = s.call(t.op, "GET", "/api/v1/orders?limit=1").json().as_object();
  CHECK(p1.at("items").as_array().size() == 1);
  CHECK(p1.at("total").to_number<int>() == 2);
  auto cursor = std::string(p1.at("next_cursor").as_string());
  auto p2 = s.call(t.op, "GET", "/api/v1/orders?limit=1&cursor=" + cursor).json().as_object();
  CHECK(p2.at("items").as_array().size() == 1);
  CHECK(p2.at("items").at(0).at("number") != p1.at("items").at(0).at("number"));
}

TEST_CASE(
    "api: sign-in is rate limited, sessions expire and survive a restart, sign-out ends them") {
  Server s({.extra = {"--session-idle", "2"}});
  // Wrong passwords: five, then even the right one is refused for a while.
  for (int i = 0; i < 5; ++i) {
    auto r = http(s.port, "POST", "/api/v1/session", R"({"user": "op2", "password": "wrong"})");
    CHECK(r.status == 401);
    CHECK(r.error_code() == "bad_credentials");
  }
  auto locked = http(s.port, "POST", "/api/v1/session", R"({"user": "op2", "password": "demo"})");
  CHECK(locked.status == 429);
  CHECK(!locked.headers["retry-after"].empty());
  // An unknown user looks the same as a wrong password.
  auto unknown = http(s.port, "POST", "/api/v1/session", R"({"user": "nobody", "password": "x"})");
  CHECK(unknown.status == 401);
  CHECK(unknown.error_code() == "bad_credentials");

  // The cookie works like the bearer token.
  auto in = http(s.port, "POST", "/api/v1/session", R"({"user": "op1", "password": "demo"})");
  REQUIRE(in.status == 200);
  const auto cookie = in.headers["set-cookie"];
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  const std::string token(in.json().at("token").as_string());
  auto me = http(s.port, "GET", "/api/v1/session", "", {{"Cookie", "huying_session=" + token}});
  CHECK(me.status == 200);
  CHECK(me.json().at("user").at("id").as_string() == "op1");

  // Survives a restart.
  s.restart();
  CHECK(s.call(token, "GET", "/api/v1/session").status == 200);
  // Idle for longer than 2 s: gone.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  CHECK(s.call(token, "GET", "/api/v1/session").status == 401);
  // Sign-out ends a session at once.
  auto t2 = s.login("op1");
  CHECK(s.call(t2, "DELETE", "/api/v1/session").status == 200);
  CHECK(s.call(t2, "GET", "/api/v1/session").status == 401);
}

TEST_CASE(
    "api: admins make users, who sign in with Argon2id-hashed passwords, and the audit lists it") {
  Server s;
  auto admin = s.login("admin");
  auto r = s.call(admin, "POST", "/api/v1/admin/users",
                  json::object{{"id", "clerk-new"},
                               {"name", "新承办人"},
                               {"role", "clerk"},
                               {"dept", "zj"},
                               {"password", "a-long-secret"}});
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(r.body.find("a-long-secret") == std::string::npos);
  auto tok = s.login("clerk-new", "a-long-secret");
  CHECK(s.call(tok, "GET", "/api/v1/session").json().at("user").at("dept").as_string() == "zj");
  // Bad specs name the field.
  auto bad = s.call(
      admin, "POST", "/api/v1/admin/users",
      json::object{{"id", "x1"}, {"role", "clerk"}, {"dept", "nope"}, {"password", "12345678"}});
  CHECK(bad.status == 400);
  CHECK(bad.json().at("error").at("field").as_string() == "dept");
  auto dup = s.call(admin, "POST", "/api/v1/admin/users",
                    json::object{{"id", "op1"}, {"role", "operator"}, {"password", "12345678"}});
  CHECK(dup.status == 409);
  // Disabling ends their sessions.
  auto dis =
      s.call(admin, "PATCH", "/api/v1/admin/users/clerk-new", json::object{{"disabled", true}});
  CHECK(dis.status == 200);
  CHECK(s.call(tok, "GET", "/api/v1/session").status == 401);
  auto again = http(s.port, "POST", "/api/v1/session",
                    R"({"user": "clerk-new", "password": "a-long-secret"})");
  CHECK(again.status == 401);
  // The stored hash is Argon2id, never the password.
  s.stop();
  std::string dump;
  {
    std::ifstream in(s.dir / "it.db", std::ios::binary);
    dump.assign(std::istreambuf_iterator<char>(in), {});
  }
  s.start();
  admin = s.login("admin");
  auto audit = s.call(admin, "GET", "/api/v1/audit");
  REQUIRE(audit.status == 200);
  std::set<std::string> actions;
  const auto audit_doc = audit.json();
  for (const auto& it : audit_doc.at("items").as_array())
    actions.insert(std::string(it.at("action").as_string()));
  CHECK(actions.count("user.create"));
  CHECK(actions.count("user.update"));
  CHECK(actions.count("login"));
  CHECK(audit.body.find("a-long-secret") == std::string::npos);
}

TEST_CASE("api: the console's helpers: route preview, caller history, duplicates, gazetteer") {
  Server s;
  auto op = s.login("op1");
  auto prev = s.call(op, "POST", "/api/v1/route-preview",
                     json::object{{"kind", "complaint"},
                                  {"category", kCategory},
                                  {"address", "桂园街道文华社区"},
                                  {"text", "占道经营"}});
  INFO(prev.body);
  REQUIRE(prev.status == 200);
  CHECK(prev.json().at("route").at("department").as_string() == "cg-gy");
  CHECK(prev.json().at("placement").at("area").as_string() == "440699001001");
  auto bad = s.call(op, "POST", "/api/v1/route-preview", json::object{{"kind", 3}});
  CHECK(bad.status == 400);

  std::string a = created(s, op, intake("红岭路有人占道经营卖水果"));
  created(s, op, intake("完全不同的事情", "13800003333"));
  auto hist = s.call(op, "GET", "/api/v1/callers/+86%20138-0000-1111/orders");
  REQUIRE(hist.status == 200);
  REQUIRE(hist.json().at("items").as_array().size() == 1);
  CHECK(hist.json().at("items").at(0).at("number").as_string() == a);

  auto dups = s.call(op, "GET",
                     "/api/v1/duplicates?area=440699001001&category=" +
                         std::string("%E5%9F%8E%E5%B8%82%E7%AE%A1%E7%90%86") +
                         "&text=%E7%BA%A2%E5%B2%AD%E8%B7%AF%E5%8D%A0%E9%81%93%E7%BB%8F%E8%90%"
                         "A5");  // 红岭路占道经营
  INFO(dups.body);
  REQUIRE(dups.status == 200);
  auto dj = dups.json();
  auto& items = dj.at("items").as_array();
  REQUIRE(items.size() == 2);
  CHECK(items[0].at("number").as_string() == a);  // the similar one first
  CHECK(items[0].at("similarity").to_number<double>() >
        items[1].at("similarity").to_number<double>());

  auto gz = s.call(op, "GET", "/api/v1/gazetteer?q=%E6%96%87%E5%8D%8E");  // 文华
  REQUIRE(gz.status == 200);
  CHECK(gz.body.find("440699001001") != std::string::npos);
  CHECK(s.call(op, "GET", "/api/v1/gazetteer").status == 400);

  for (const char* ref :
       {"/api/v1/areas", "/api/v1/departments", "/api/v1/categories", "/api/v1/codes"}) {
    auto r = s.call(op, "GET", ref);
    INFO(ref);
    CHECK(r.status == 200);
  }

  // The board's map: the config's polygons, each naming the street it lies in.
  auto map = s.call(s.login("leader1"), "GET", "/api/v1/map");
  REQUIRE(map.status == 200);
  auto mj = map.json().as_object();
  CHECK(mj.at("type").as_string() == "FeatureCollection");
  int seen = 0;
  for (const auto& f : mj.at("features").as_array()) {
    const auto& props = f.at("properties").as_object();
    const auto& ring = f.at("geometry").at("coordinates").at(0).as_array();
    CHECK(ring.size() >= 4);
    CHECK(ring.front() == ring.back());  // closed, as GeoJSON wants
    if (props.at("code").as_string() == "440699001001") {
      ++seen;
      CHECK(props.at("name").as_string() == "文华社区");
      CHECK(props.at("street").as_string() == "440699001000");
    }
    if (props.at("code").as_string() == "440699002000")
      CHECK(props.at("street").as_string() == "440699002000");  // a street's own polygon
  }
  CHECK(seen == 1);
  CHECK(s.call("", "GET", "/api/v1/map").status == 401);
}

TEST_CASE("api: reports as JSON and CSV, and a config reload through the admin API") {
  Server s;
  auto op = s.login("op1");
  auto disp = s.login("disp1");
  std::string no = created(s, op);
  REQUIRE(act(s, disp, no, "dispatch", {{"lead", "cg-gy"}, {"area", "440699001001"}}).status ==
          200);
  auto leader = s.login("leader1");
  auto rep = s.call(leader, "GET", "/api/v1/reports?from=2026-01-01&to=2026-12-31&by=department");
  INFO(rep.body);
  REQUIRE(rep.status == 200);
  CHECK(rep.json().at("total").at("orders").to_number<int>() == 1);
  CHECK(rep.json().at("total").at("dispatched").to_number<int>() == 1);
  auto csv = s.call(leader, "GET", "/api/v1/reports?from=2026-01-01&to=2026-12-31&format=csv");
  CHECK(csv.status == 200);
  CHECK(csv.headers["content-type"].find("text/csv") == 0);
  CHECK(csv.body.find("\ncg-gy,0,1,") !=
        std::string::npos);  // orders count by their lead at creation
  CHECK(s.call(leader, "GET", "/api/v1/reports?from=2026-13-01&to=2026-12-31").status == 400);
  // A department's leader: their own department's row, as the total too.
  auto leader_cg = s.login("leader-cg");
  auto own = s.call(leader_cg, "GET", "/api/v1/reports?from=2026-01-01&to=2026-12-31");
  INFO(own.body);
  REQUIRE(own.status == 200);
  CHECK(own.json().at("groups").as_array().empty());  // cg had no orders; cg-gy's are not theirs
  CHECK(own.json().at("total").at("dispatched").to_number<int>() == 0);
  CHECK(own.body.find("cg-gy") == std::string::npos);
  CHECK(
      s.call(leader_cg, "GET", "/api/v1/reports?from=2026-01-01&to=2026-12-31&by=street").status ==
      403);

  auto admin = s.login("admin");
  auto rl = s.call(admin, "POST", "/api/v1/admin/reload", json::object{});
  INFO(rl.body);
  CHECK(rl.status == 200);
  CHECK(rl.json().at("ok").as_bool());

  // A reload that moves a clerk to another department ends their session;
  // the others go on.
  auto clerk = s.login("clerk-cg-gy");
  const auto users = std::filesystem::path(s.opts.config) / "users.yaml";
  std::string text;
  {
    std::ifstream in(users);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string from = "{id: clerk-cg-gy, name: 桂园城管中队承办人, role: clerk, dept: cg-gy";
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(),
               "{id: clerk-cg-gy, name: 桂园城管中队承办人, role: clerk, dept: zj");
  std::ofstream(users) << text;
  REQUIRE(s.call(admin, "POST", "/api/v1/admin/reload", json::object{}).status == 200);
  CHECK(s.call(clerk, "GET", "/api/v1/session").status == 401);
  CHECK(s.call(leader, "GET", "/api/v1/session").status == 200);
  auto again = s.login("clerk-cg-gy");
  CHECK(s.call(again, "GET", "/api/v1/session").json().at("user").at("dept").as_string() == "zj");
  // A config with an error is refused with every error, and the rules stay.
  std::ofstream(users) << "users:\n  - {id: x, role: wizard}\n";
  auto bad = s.call(admin, "POST", "/api/v1/admin/reload", json::object{});
  INFO(bad.body);
  CHECK(bad.status == 422);
  CHECK(bad.error_code() == "config_invalid");
  CHECK(bad.json().at("errors").as_array().size() >= 1);
  CHECK(s.call(again, "GET", "/api/v1/session").status == 200);
}

TEST_CASE("api: /metrics passes promtool check metrics") {
  Server s;
  auto op = s.login("op1");
  created(s, op);
  http(s.port, "GET", "/nope");
  auto m = http(s.port, "GET", "/metrics");
  REQUIRE(m.status == 200);
  CHECK(m.body.find("huying_orders_open{status=\"received\"} 1") != std::string::npos);
  CHECK(
      m.body.find(
          "huying_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/orders\"") !=
      std::string::npos);
  const auto file = s.dir / "metrics.txt";
  std::ofstream(file) << m.body;
  const std::string cmd = "promtool check metrics < " + file.string() + " > " +
                          (s.dir / "promtool.out").string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  std::ifstream out(s.dir / "promtool.out");
  std::string text((std::istreambuf_iterator<char>(out)), {});
  INFO(text);
  CHECK(rc == 0);
}

TEST_CASE(
    "open311: services, a request posted by an app with its key, read back without personal data") {
  Server s;
  auto services = http(s.port, "GET", "/open311/v2/services.json");
  REQUIRE(services.status == 200);
  std::string code;
  const auto sv = services.json();
  for (const auto& it : sv.as_array())
    if (it.at("description").as_string() == kCategory)
      code = std::string(it.at("service_code").as_string());
  REQUIRE(!code.empty());
  CHECK(http(s.port, "GET", "/open311/v2/services/" + code + ".json").status == 200);
  auto xml = http(s.port, "GET", "/open311/v2/services.xml");
  CHECK(xml.headers["content-type"].find("text/xml") == 0);
  CHECK(xml.body.find("<services><service><service_code>") != std::string::npos);
  CHECK(http(s.port, "GET", "/open311/v2/discovery.json").status == 200);

  const Headers form{{"Content-Type", "application/x-www-form-urlencoded"}};
  const std::string body =
      "service_code=" + code +
      "&description=%E9%97%A8%E5%8F%A3%E5%8D%A0%E9%81%93"  // 门口占道
      "&address_string=%E6%A1%82%E5%9B%AD%E8%A1%97%E9%81%93%E6%96%87%E5%8D%8E%E7%A4%BE%E5%8C%BA"
      "&first_name=%E4%B8%89&last_name=%E5%BC%A0&phone=13900005555";
  auto nokey = http(s.port, "POST", "/open311/v2/requests.json", body, form);
  CHECK(nokey.status == 403);
  CHECK(nokey.json().at(0).at("code").to_number<int>() == 403);
  auto badkey = http(s.port, "POST", "/open311/v2/requests.json", body + "&api_key=nope", form);
  CHECK(badkey.status == 403);
  auto posted = http(s.port, "POST", "/open311/v2/requests.json",
                     body + "&api_key=demo-open311-key-0001", form);
  INFO(posted.body);
  REQUIRE(posted.status == 201);
  const std::string id(posted.json().at(0).at("service_request_id").as_string());
  auto bad =
      http(s.port, "POST", "/open311/v2/requests.json",
           "api_key=demo-open311-key-0001&service_code=nope&description=x&address_string=y", form);
  CHECK(bad.status == 400);

  // Read back: status and times, but not the text, place or caller (not 公开办).
  auto one = http(s.port, "GET", "/open311/v2/requests/" + id + ".json");
  INFO(one.body);
  REQUIRE(one.status == 200);
  auto req = one.json().at(0).as_object();
  CHECK(req.at("status").as_string() == "open");
  CHECK(req.at("requested_datetime").as_string().find("+08:00") != std::string::npos);
  CHECK(one.body.find("13900005555") == std::string::npos);
  CHECK(one.body.find("张") == std::string::npos);
  CHECK(!req.contains("description"));
  auto list = http(s.port, "GET", "/open311/v2/requests.xml?status=open&service_code=" + code);
  CHECK(list.status == 200);
  CHECK(list.body.find("<service_request_id>" + id + "</service_request_id>") != std::string::npos);
  CHECK(list.body.find("13900005555") == std::string::npos);
  CHECK(http(s.port, "GET", "/open311/v2/requests.json?start_date=yesterday").status == 400);

  // The hotline sees it came in through Open311, from the app named by its key.
  auto op = s.login("op1");
  auto full = s.call(op, "GET", "/api/v1/orders/" + id).json();
  CHECK(full.at("order").at("channel").as_string() == "open311");
  CHECK(full.at("history").at(0).at("actor").at("user").as_string() == "open311:示例便民App");

  // A 公开办 result is shown once replied.
  auto disp = s.login("disp1");
  REQUIRE(act(s, disp, id, "dispatch",
              {{"lead", "cg-gy"}, {"area", "440699001001"}, {"mode", "public"}})
              .status == 200);
  auto clerk = s.login("clerk-cg-gy");
  REQUIRE(act(s, clerk, id, "claim", {}).status == 200);
  REQUIRE(act(s, clerk, id, "reply", {{"result", "已清理"}, {"public_result", "占道摊点已清理"}})
              .status == 200);
  auto pub = http(s.port, "GET", "/open311/v2/requests/" + id + ".json");
  CHECK(pub.json().at(0).at("status_notes").as_string() == "占道摊点已清理");
  CHECK(pub.body.find("13900005555") == std::string::npos);
}

TEST_CASE("api: SIGTERM answers every request already sent, then exits 0") {
  Server s;
  auto op = s.login("op1");
  // 16 creates on their own connections, then SIGTERM at once.
  std::vector<int> fds;
  const std::string body = json::serialize(intake());
  for (int i = 0; i < 16; ++i) {
    int fd = connect_to(s.port);
    std::string req =
        "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        "Authorization: Bearer " +
        op +
        "\r\nContent-Type: application/json\r\n"
        "Idempotency-Key: term-" +
        std::to_string(i) + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
        body;
    REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
    fds.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  s.child->signal(SIGTERM);
  int answered = 0, created = 0;
  for (int fd : fds) {
    std::string resp;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<std::size_t>(n));
    close(fd);
    auto r = parse_response(resp);
    INFO(resp.substr(0, 200));
    CHECK(r.status != 0);  // an answer, not a dropped connection
    answered += r.status != 0;
    created += r.status == 201;
  }
  int st = s.child->wait();
  s.stopped = true;
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
  CHECK(answered == 16);
  // What was acknowledged is stored.
  s.start();
  op = s.login("op1");
  CHECK(s.call(op, "GET", "/api/v1/orders").json().at("total").to_number<int>() == created);
}
