// 跨域转办 between two running servers: the transfer goes out through the
// sender's outbox, the receiver is killed and restarted mid-way, then the
// sender is; the order makes its round trip once, nothing duplicated.
#include <chrono>
#include <thread>

#include "integration/harness.hpp"

using namespace huying::it;
namespace json = boost::json;

namespace {

const std::string kKey = "link-key-0123456789abcdef";

// Points the example's gz12345 platform at the other server.
std::function<void(std::string&)> link_to(unsigned short other) {
  return [other](std::string& yaml) {
    const std::string from = "{code: gz12345, name: 广州12345热线}";
    auto at = yaml.find(from);
    REQUIRE(at != std::string::npos);
    yaml.replace(at, from.size(),
                 "{code: gz12345, name: 广州12345热线, base_url: \"http://127.0.0.1:" +
                     std::to_string(other) + "\", api_key: " + kKey + "}");
  };
}

json::object get_order(Server& s, const std::string& token, const std::string& no) {
  auto r = s.call(token, "GET", "/api/v1/orders/" + no);
  REQUIRE(r.status == 200);
  return r.json().as_object();
}

// Polls until pred holds (at most `secs`).
template <class F>
bool eventually(F pred, int secs = 20) {
  for (int i = 0; i < secs * 10; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int count_events(const json::object& full, const char* type) {
  int n = 0;
  for (const auto& e : full.at("history").as_array()) n += e.at("type").as_string() == type;
  return n;
}

}  // namespace

TEST_CASE("platform: a 跨域转办 makes its round trip between two servers, each killed mid-way") {
  const unsigned short pa = free_port(), pb = free_port();
  Server a({.extra = {"--port", std::to_string(pa)}, .edit_deployment = link_to(pb)});
  Server b({.extra = {"--port", std::to_string(pb)}, .edit_deployment = link_to(pa)});
  REQUIRE(a.port == pa);
  REQUIRE(b.port == pb);

  // The receiver is down when the transfer is made.
  b.kill9();
  auto op = a.login("op1");
  auto made = a.call(op, "POST", "/api/v1/orders",
                     json::object{{"kind", "complaint"},
                                  {"category", "城市管理/市容环境/占道经营"},
                                  {"address", "广州市天河区某路1号"},
                                  {"description", "在广州的店铺占道经营"},
                                  {"citizen", {{"name", "陈先生"}, {"phone", "13800007777"}}}});
  REQUIRE(made.status == 201);
  const std::string no(made.json().at("order").at("number").as_string());
  auto out =
      a.call(op, "POST", "/api/v1/orders/" + no + "/transfer_out",
             json::object{{"version", 1}, {"platform", "gz12345"}, {"reason", "属广州管辖"}});
  INFO(out.body);
  REQUIRE(out.status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK(get_order(a, op, no).at("order").at("external_ref").as_string() == "");
  // Waiting in the outbox, and counted.
  CHECK(http(a.port, "GET", "/metrics").body.find("huying_outbox_items{state=\"pending\"} 1") !=
        std::string::npos);

  // The receiver comes back: the outbox delivers, the sender records their number.
  b.start();
  REQUIRE(eventually(
      [&] { return get_order(a, op, no).at("order").at("external_ref").as_string() != ""; }));
  const std::string theirs(get_order(a, op, no).at("order").at("external_ref").as_string());
  auto bop = b.login("op1");
  auto in = b.call(bop, "GET", "/api/v1/orders?channel=cross_domain");
  REQUIRE(in.status == 200);
  REQUIRE(in.json().at("total").to_number<int>() == 1);
  auto their_order = in.json().at("items").at(0).as_object();
  CHECK(their_order.at("number").as_string() == theirs);
  CHECK(their_order.at("origin_platform").as_string() == "gz12345");
  CHECK(their_order.at("origin_ref").as_string() == no);

  // The sender is down when the receiver's department replies.
  a.kill9();
  auto bdisp = b.login("disp1");
  auto bclerk = b.login("clerk-cg-gy");
  auto v = their_order.at("version").to_number<int>();
  auto d = b.call(bdisp, "POST", "/api/v1/orders/" + theirs + "/dispatch",
                  json::object{{"version", v}, {"lead", "cg-gy"}, {"area", "440699001001"}});
  INFO(d.body);
  REQUIRE(d.status == 200);
  v = d.json().at("order").at("version").to_number<int>();
  auto c =
      b.call(bclerk, "POST", "/api/v1/orders/" + theirs + "/claim", json::object{{"version", v}});
  REQUIRE(c.status == 200);
  v = c.json().at("order").at("version").to_number<int>();
  auto r = b.call(bclerk, "POST", "/api/v1/orders/" + theirs + "/reply",
                  json::object{{"version", v},
                               {"result", "已责令商户退回店内经营"},
                               {"onsite",
                                {{"at", c.json().at("order").at("claimed_at")},
                                 {"by", "广州执法队"},
                                 {"place", "天河区某路1号"}}}});
  INFO(r.body);
  REQUIRE(r.status == 200);

  // The sender comes back: the result arrives and the order is ours to call back.
  a.start();
  op = a.login("op1");
  REQUIRE(eventually(
      [&] { return get_order(a, op, no).at("order").at("status").as_string() == "replied"; }));
  auto back = get_order(a, op, no);
  CHECK(back.at("order").at("result").as_string() == "已责令商户退回店内经营");
  auto visit = a.call(op, "POST", "/api/v1/orders/" + no + "/visit",
                      json::object{{"version", back.at("order").at("version")},
                                   {"solved", true},
                                   {"satisfaction", "satisfied"}});
  REQUIRE(visit.status == 200);
  auto closed = a.call(op, "POST", "/api/v1/orders/" + no + "/close",
                       json::object{{"version", visit.json().at("order").at("version")}});
  CHECK(closed.status == 200);

  // Once each, on both sides, after every restart and retry.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  auto final_a = get_order(a, op, no);
  CHECK(count_events(final_a, "transferred_out") == 1);
  CHECK(count_events(final_a, "external_acked") == 1);
  CHECK(count_events(final_a, "external_result") == 1);
  CHECK(b.call(bop, "GET", "/api/v1/orders?channel=cross_domain")
            .json()
            .at("total")
            .to_number<int>() == 1);
  // Nothing left to send on either side.
  for (auto* srv : {&a, &b})
    CHECK(
        http(srv->port, "GET", "/metrics").body.find("huying_outbox_items{state=\"pending\"} 0") !=
        std::string::npos);
  CHECK(a.log().find("refused by") == std::string::npos);
  CHECK(b.log().find("refused by") == std::string::npos);
}
