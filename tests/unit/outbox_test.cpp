// 跨域转办 deliveries (core/outbox) and the API's unknown-field check
// (command_fields), on the pure core.
#include "dispatcher/core/outbox.hpp"

#include <catch2/catch.hpp>

#include "dispatcher/core/command_args.hpp"
#include "unit/test_support.hpp"

using namespace huying::test;

namespace {

Deployment linked() {
  Deployment d;
  d.platforms.push_back(
      {"gz12345", "广州12345热线", "http://10.0.0.2:8080", "a-shared-secret-key", {}});
  d.platforms.push_back({"sd12345", "顺德区12345热线", "", "", {}});
  return d;
}

OrderChange transferred(const std::string& platform, bool confidential = false) {
  OrderChange c;
  c.order = order_in(Status::received);
  c.order.confidential = confidential;
  c.order.citizen = {"张三", "13800001111", "440101199001011234"};
  c.events.push_back(Event{c.order.number,
                           2,
                           kT0,
                           op,
                           EventType::transferred_out,
                           {{"platform", platform}, {"reason", "属广州管辖"}}});
  return c;
}

}  // namespace

TEST_CASE("outbox: a transfer to a linked platform is delivered, to an unlinked one by hand") {
  const auto d = linked();
  const auto change = transferred("gz12345");
  auto items = outbox_items(change, d);
  REQUIRE(items.size() == 1);
  const auto& it = items[0];
  CHECK(it.key == change.order.number + ":transfer");
  CHECK(str_at(it.value, "type") == "transfer");
  CHECK(str_at(it.value, "path") == "/api/v1/platform/transfers");
  const auto& body = it.value.at("body").as_object();
  CHECK(str_at(body, "reference") == change.order.number);
  CHECK(str_at(body, "reason") == "属广州管辖");
  // The other side may need to reach the caller, but never sees an ID number.
  CHECK(body.at("citizen").at("phone").as_string() == "13800001111");
  CHECK(json::serialize(body).find("440101199001011234") == std::string::npos);
  // A confidential caller stays with us.
  auto conf = outbox_items(transferred("gz12345", true), d);
  REQUIRE(conf.size() == 1);
  CHECK_FALSE(conf[0].value.at("body").as_object().contains("citizen"));
  CHECK(outbox_items(transferred("sd12345"), d).empty());
  CHECK(outbox_items(transferred("nowhere"), d).empty());
}

TEST_CASE("outbox: a reply to an order from another platform goes back to it, once per reply") {
  const auto d = linked();
  OrderChange c;
  c.order = order_in(Status::claimed);
  c.order.origin_platform = "gz12345";
  c.order.origin_ref = "GZ2026000123";
  c.events.push_back(
      Event{c.order.number, 5, kT0, clerk_cg, EventType::replied, {{"result", "已处理"}}});
  auto items = outbox_items(c, d);
  REQUIRE(items.size() == 1);
  CHECK(items[0].key == c.order.number + ":result:5");
  const auto& body = items[0].value.at("body").as_object();
  CHECK(str_at(body, "reference") == "GZ2026000123");
  CHECK(str_at(body, "result") == "已处理");
  // Our own orders' replies stay here.
  c.order.origin_platform.clear();
  CHECK(outbox_items(c, d).empty());
}

TEST_CASE("command fields: every field decide() reads is known, anything else is refused") {
  CHECK_FALSE(unknown_field(CommandType::create, create_args()));
  CHECK_FALSE(unknown_field(CommandType::reply, reply_args()));
  auto a = create_args();
  a["colour"] = "red";
  auto r = unknown_field(CommandType::create, a);
  REQUIRE(r);
  CHECK(r->field == "colour");
  CHECK(r->code == RejectCode::invalid_field);
  json::object c{{"citizen", {{"name", "x"}, {"email", "x@y"}}}};
  r = unknown_field(CommandType::amend, c);
  REQUIRE(r);
  CHECK(r->field == "citizen.email");
  CHECK(unknown_field(CommandType::claim, {{"note", "x"}}));
  CHECK_FALSE(unknown_field(CommandType::claim, {}));
}
