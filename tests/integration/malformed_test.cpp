// Bad input on purpose: hundreds of malformed requests against the real
// server. Each must get a 4xx with the one JSON error shape, nothing may be
// stored from them, and the server must keep serving.
#include <chrono>
#include <thread>

#include "integration/harness.hpp"

using namespace huying::it;
namespace json = boost::json;

namespace {

struct Case {
  std::string name;
  std::string method;
  std::string target;
  std::string body;
  Headers headers;
};

// A valid create body to break one piece of at a time.
json::object good_create() {
  return {{"kind", "complaint"},
          {"category", "城市管理/市容环境/占道经营"},
          {"address", "桂园街道文华社区红岭路12号"},
          {"description", "门口占道经营"},
          {"citizen", {{"name", "张三"}, {"phone", "13800001111"}}}};
}

}  // namespace

TEST_CASE("malformed: 200+ bad requests each get a 4xx JSON error and the server keeps serving") {
  Server s({.extra = {"--read-timeout", "2"}});
  const std::string op = s.login("op1");
  const Headers auth{{"Authorization", "Bearer " + op}};
  // An order to aim commands at.
  auto made = s.call(op, "POST", "/api/v1/orders", good_create());
  REQUIRE(made.status == 201);
  const std::string no(made.json().at("order").at("number").as_string());

  std::vector<Case> cases;
  // 1. Bodies that are not JSON objects, on every endpoint that takes one.
  const std::vector<std::string> bad_json{
      "{",
      "}",
      "[",
      "[]",
      "null",
      "42",
      "\"text\"",
      "{\"a\":}",
      "{\"a\" 1}",
      "{a: 1}",
      "{'a': 1}",
      "{\"a\": 1,}",
      "{\"a\": tru}",
      "{\"a\": NaN}",
      "{\"a\": 01}",
      "{\"a\": .5}",
      "{\"a\": \"\\x\"}",
      "{\"a\": \"\\u12\"}",
      "\x01\x02",
      "{\"a\": 1} trailing",
      std::string(200, '['),
      "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}",
      "{\"a\": \"unterminated}"};
  const std::vector<std::string> posts{"/api/v1/orders", "/api/v1/orders/" + no + "/dispatch",
                                       "/api/v1/route-preview", "/api/v1/session"};
  for (const auto& target : posts)
    for (const auto& b : bad_json) cases.push_back({"bad json", "POST", target, b, auth});

  // 2. Wrong types, one field at a time.
  using P = std::pair<std::string, json::value>;
  const std::vector<std::pair<std::string, json::value>> wrong{
      P{"kind", 1},
      P{"kind", "grumble"},
      P{"kind", json::array{}},
      P{"category", 5},
      P{"category", ""},
      P{"category", "不存在/的/类别"},
      P{"description", 7},
      P{"description", json::object{}},
      P{"description", "   "},
      P{"description", std::string(5000, 'x')},
      P{"urgency", "panic"},
      P{"mode", 3},
      P{"channel", "pigeon"},
      P{"area", 440699001001},
      P{"area", "4406"},
      P{"area", "abcdefghijkl"},
      P{"lat", "north"},
      P{"lat", 91},
      P{"lng", -181},
      P{"citizen", "张三"},
      P{"citizen", json::array{}},
      P{"confidential", "yes"},
      P{"title", json::array{1}},
      P{"address", 12},
      P{"origin", 1},
      P{"source", json::object{}}};
  for (const auto& [field, value] : wrong) {
    auto b = good_create();
    b[field] = value;
    cases.push_back({"wrong " + field, "POST", "/api/v1/orders", json::serialize(b), auth});
  }
  // Citizen's own fields.
  for (const auto& [field, value] :
       std::vector<P>{P{"phone", 13800001111}, P{"phone", "call me"}, P{"name", json::array{}},
                      P{"id_number", 42}, P{"email", "a@b.c"}}) {
    auto b = good_create();
    b["citizen"].as_object()[field] = value;
    cases.push_back({"citizen " + field, "POST", "/api/v1/orders", json::serialize(b), auth});
  }
  // 3. Missing and unknown fields.
  for (const char* field : {"kind", "category", "description"}) {
    auto b = good_create();
    b.erase(field);
    cases.push_back(
        {std::string("missing ") + field, "POST", "/api/v1/orders", json::serialize(b), auth});
  }
  for (const char* field : {"kind_", "Kind", "status", "number", "id", "version", "depts", "lead",
                            "created_at", "__proto__"}) {
    auto b = good_create();
    b[field] = "x";
    cases.push_back(
        {std::string("unknown ") + field, "POST", "/api/v1/orders", json::serialize(b), auth});
  }
  // Commands: missing version, bad version, unknown fields, wrong types, unknown command.
  const std::string cmd = "/api/v1/orders/" + no + "/";
  for (const auto& [c, body] : std::vector<std::pair<std::string, std::string>>{
           {"supervise", R"({"comment": "x"})"},
           {"supervise", R"({"version": "1", "comment": "x"})"},
           {"supervise", R"({"version": -1, "comment": "x"})"},
           {"supervise", R"({"version": 1.5, "comment": "x"})"},
           {"supervise", R"({"version": 99999999999, "comment": "x"})"},
           {"supervise", R"({"version": 1, "comment": 5})"},
           {"supervise", R"({"version": 1, "comment": "x", "level": "shout"})"},
           {"supervise", R"({"version": 1, "comment": "x", "extra": 1})"},
           {"cancel", R"({"version": 1})"},
           {"cancel", R"({"version": 1, "reason": ""})"},
           {"merge", R"({"version": 1, "into": "HY-NOPE"})"},
           {"merge", R"({"version": 1, "into": 3})"},
           {"transfer_emergency", R"({"version": 1, "line": "999", "reference": "x"})"},
           {"transfer_out", R"({"version": 1, "platform": "nowhere", "reason": "x"})"},
           {"answer", R"({"version": 1, "answer": "ok", "satisfaction": "meh"})"},
           {"create", R"({"version": 1})"},
           {"explode", R"({"version": 1})"},
           {"Cancel", R"({"version": 1, "reason": "x"})"}})
    cases.push_back({"command " + c, "POST", cmd + c, body, auth});
  // 4. Invalid UTF-8 inside JSON strings and in targets.
  for (const std::string& bytes :
       {std::string("\xff"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
        std::string("\xe4\xb8"), std::string("\xf8\x88\x80\x80\x80")}) {
    std::string b =
        R"({"kind": "complaint", "category": "城市管理/市容环境/占道经营", "address": "x", "description": ")" +
        bytes + "\"}";
    cases.push_back({"invalid utf-8 body", "POST", "/api/v1/orders", b, auth});
  }
  for (const char* t :
       {"/api/v1/orders?q=%ff", "/api/v1/orders?q=%c0%af", "/api/v1/orders/%ff%fe",
        "/api/v1/orders?q=%zz", "/api/v1/orders?q=%", "/api/v1/orders?q=%00", "/api/v1/orders/%00"})
    cases.push_back({"bad target", "GET", t, "", auth});
  // 5. SQL and script where a value is constrained.
  for (const char* t :
       {"/api/v1/orders?status=received'%20OR%201=1--", "/api/v1/orders?kind=%3Cscript%3E",
        "/api/v1/orders?area=1'%20OR%20'1'='1", "/api/v1/orders?flags=supervised%3BDROP%20TABLE",
        "/api/v1/orders?limit=1;DELETE", "/api/v1/orders?cursor=1%20OR%201",
        "/api/v1/orders?from=2025-01-01'--", "/api/v1/orders?mode=%22%3E%3Cimg%3E",
        "/api/v1/orders/1'%20OR%20'1'='1", "/api/v1/orders/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/api/v1/callers/'%3B%20DROP%20TABLE%20callers%3B--/orders",
        "/api/v1/duplicates?area=440699001001'--&category=x",
        "/api/v1/reports?from=2025-01-01&to=2025-02-01&by=dept'--"})
    cases.push_back({"sql/script in a constrained value", "GET", t, "", auth});
  for (const char* v : {"'; DROP TABLE orders; --", "<script>alert(1)</script>"}) {
    auto b = good_create();
    b["kind"] = v;
    cases.push_back({"sql/script as kind", "POST", "/api/v1/orders", json::serialize(b), auth});
    b = good_create();
    b["area"] = v;
    cases.push_back({"sql/script as area", "POST", "/api/v1/orders", json::serialize(b), auth});
  }
  // 6. Query parameters.
  for (const std::string& t :
       std::vector<std::string>{"/api/v1/orders?limit=abc",
                                "/api/v1/orders?limit=-1",
                                "/api/v1/orders?limit=100000",
                                "/api/v1/orders?limit=",
                                "/api/v1/orders?cursor=x",
                                "/api/v1/orders?from=2025-13-40",
                                "/api/v1/orders?to=yesterday",
                                "/api/v1/orders?flags=bogus",
                                "/api/v1/orders?overdue=maybe",
                                "/api/v1/orders?color=red",
                                "/api/v1/orders?status=,,nope",
                                "/api/v1/queues/department",
                                "/api/v1/queues/desk?limit=0",
                                "/api/v1/reports?from=2025-01-01",
                                "/api/v1/reports?to=2025-01-01",
                                "/api/v1/reports?from=2025-02-01&to=2025-01-01",
                                "/api/v1/reports?from=2020-01-01&to=2025-01-01",
                                "/api/v1/reports?from=2025-01-01&to=2025-02-01&format=pdf",
                                "/api/v1/gazetteer?q=",
                                "/api/v1/duplicates?area=440699001001",
                                "/api/v1/duplicates?category=x",
                                "/api/v1/callers/abc/orders",
                                "/api/v1/audit",
                                "/api/v1/orders/HY" + std::string(100, '9')})
    cases.push_back({"bad query", "GET", t, "", auth});
  // 7. Sign-in and tokens.
  for (const auto& [h, v] : std::vector<std::pair<std::string, std::string>>{
           {"Authorization", "Bearer"},
           {"Authorization", "Bearer x"},
           {"Authorization", "Bearer " + std::string(64, 'z')},
           {"Authorization", "Bearer " + std::string(5000, 'a')},
           {"Authorization", "Basic b3AxOmRlbW8="},
           {"Cookie", "huying_session=nope"},
           {"Cookie", "huying_session=" + std::string(64, '0')},
           {"Authorization", "bearer " + op + "x"}})
    cases.push_back({"bad token", "GET", "/api/v1/orders", "", {{h, v}}});
  for (const char* b :
       {R"({"user": "op1"})", R"({"password": "demo"})", R"({"user": 1, "password": "demo"})",
        R"({"user": "op1", "password": ["demo"]})", R"({"user": "", "password": ""})"})
    cases.push_back({"bad sign-in", "POST", "/api/v1/session", b, {}});
  // 8. Methods, paths, media types.
  for (const auto& [m, t] : std::vector<std::pair<std::string, std::string>>{
           {"DELETE", "/api/v1/orders"},
           {"PUT", "/api/v1/orders/" + no},
           {"PATCH", "/api/v1/orders"},
           {"GET", "/api/v1/orders/" + no + "/claim"},
           {"POST", "/healthz"},
           {"GET", "/api/v2/orders"},
           {"GET", "/api/v1/../../etc/passwd"},
           {"GET", "/api/v1/orders/" + no + "/history/x"},
           {"OPTIONS", "/api/v1/orders"},
           {"POST", "/metrics"}})
    cases.push_back({"method/path", m, t, m == "GET" ? "" : "{}", auth});
  cases.push_back(
      {"form body",
       "POST",
       "/api/v1/orders",
       "kind=complaint",
       {{"Authorization", "Bearer " + op}, {"Content-Type", "application/x-www-form-urlencoded"}}});
  cases.push_back({"empty body", "POST", "/api/v1/orders", "", auth});
  cases.push_back(
      {"big idempotency key",
       "POST",
       "/api/v1/orders",
       json::serialize(good_create()),
       {{"Authorization", "Bearer " + op}, {"Idempotency-Key", std::string(300, 'k')}}});

  std::size_t checked = 0;
  for (const auto& c : cases) {
    auto r = http(s.port, c.method, c.target, c.body, c.headers);
    INFO(c.name << ": " << c.method << " " << c.target << " " << c.body.substr(0, 120) << " -> "
                << r.status << " " << r.body);
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    CHECK(!r.error_code().empty());
    ++checked;
  }

  // 9. Raw HTTP that is not a well-formed request.
  std::vector<std::string> raws{
      "HELLO\r\n\r\n",
      "GET\r\n\r\n",
      "GET /healthz HTTP/9.9\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "GET " + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(64 * 1024, 'h') + "\r\n\r\n",
      "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nContent-Length: " +
          std::to_string(2 * 1024 * 1024) + "\r\n\r\n" + std::string(2 * 1024 * 1024, ' '),
  };
  std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 2000; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  raws.push_back(many + "\r\n");
  for (const auto& bytes : raws) {
    auto r = parse_response(raw(s.port, bytes));
    INFO("raw: " << bytes.substr(0, 80) << " -> " << r.status << " " << r.body);
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    CHECK(!r.error_code().empty());
    ++checked;
  }
  CHECK(checked >= 200);

  // 10. Slowloris: a client dribbling a request is cut off after the read
  // timeout, and others are served meanwhile.
  int fd = connect_to(s.port);
  const std::string partial = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  const auto t0 = std::chrono::steady_clock::now();
  bool closed = false;
  for (char ch : partial + "X-Slow: 1\r\nX-Slow: 2\r\nX-Slow: 3\r\nX-Slow: 4\r\nX-Slow: 5\r\n") {
    if (::send(fd, &ch, 1, MSG_NOSIGNAL) <= 0) {
      closed = true;
      break;
    }
    CHECK(http(s.port, "GET", "/healthz").status == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(6)) break;
  }
  if (!closed) {
    char buf[256];
    closed = ::read(fd, buf, sizeof buf) <= 0;
  }
  close(fd);
  CHECK(closed);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(8));

  // Nothing was stored from any of it; the server still serves.
  CHECK(http(s.port, "GET", "/healthz").status == 200);
  auto list = s.call(op, "GET", "/api/v1/orders");
  REQUIRE(list.status == 200);
  CHECK(list.json().at("total").to_number<int>() == 1);
}

TEST_CASE("malformed: SQL and script in free text are stored as text and harm nothing") {
  Server s;
  const std::string op = s.login("op1");
  for (const char* text : {"'; DROP TABLE orders; --", "<script>alert('x')</script>",
                           "Robert'); DELETE FROM events WHERE ('1'='1", "%_\\' OR 1=1 --"}) {
    auto b = good_create();
    b["description"] = text;
    b["address"] = text;
    auto r = s.call(op, "POST", "/api/v1/orders", b);
    INFO(r.body);
    REQUIRE(r.status == 201);
    const std::string no(r.json().at("order").at("number").as_string());
    auto got = s.call(op, "GET", "/api/v1/orders/" + no);
    CHECK(got.json().at("order").at("description").as_string() == text);
    // A search for the literal text finds exactly that order (no wildcards).
    std::string q;
    for (unsigned char ch : std::string(text)) {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", ch);
      q += hex;
    }
    auto found = s.call(op, "GET", "/api/v1/orders?q=" + q);
    REQUIRE(found.status == 200);
    CHECK(found.json().at("total").to_number<int>() == 1);
  }
  CHECK(s.call(op, "GET", "/api/v1/orders").json().at("total").to_number<int>() == 4);
}
