// core/board: the live board's figures from events alone, its deltas, and
// the same figures whatever order the orders' histories come in (replay).
#include "dispatcher/core/board.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "unit/test_support.hpp"

using namespace huying;
using namespace huying::test;

namespace {

core::BoardOptions options() {
  core::BoardOptions o;
  o.street_of = core::street_of_code;
  return o;
}

// An order's events: created, then dispatched to 城管 (and claimed).
std::vector<Event> history(int n, bool claim) {
  NaturalSlaPolicy sla;
  WorkOrder o;
  std::vector<Event> out;
  DecideContext ctx;
  ctx.now = kT0 + n * kMinute;
  ctx.sla = &sla;
  ctx.allocate = [n] {
    return std::pair<std::int64_t, std::string>{n, "HY2025120100000" + std::to_string(n)};
  };
  auto run = [&](CommandType t, json::object a, const Actor& who) {
    auto d = decide(out.empty() ? nullptr : &o, cmd(t, std::move(a)), who, ctx);
    REQUIRE(d.ok());
    for (auto& e : d.events) {
      apply(o, e);
      out.push_back(e);
    }
    ctx.now += kMinute;
  };
  run(CommandType::create, create_args(), op);
  run(CommandType::dispatch, {{"lead", "cg"}, {"area", "440605001001"}}, disp);
  if (claim) run(CommandType::claim, {}, clerk_cg);
  return out;
}

}  // namespace

TEST_CASE("board: counts, lists and deltas from events alone, nothing personal") {
  core::Board b(options());
  b.set_now(kT0 + kHour);
  b.take_delta();
  const auto first = b.seq();
  for (int n = 1; n <= 3; ++n) b.add_change(WorkOrder{}, history(n, n == 3));
  auto d = b.take_delta();
  REQUIRE(d);
  CHECK(b.seq() == first + 1);
  CHECK(d->at("totals").at("open").as_int64() == 3);
  CHECK(d->at("by_status").at("dispatched").as_int64() == 2);
  CHECK(d->at("by_status").at("claimed").as_int64() == 1);
  CHECK(d->at("by_dept").at("cg").at("open").as_int64() == 3);
  CHECK(d->at("ticker").as_array().size() == 7);  // 3 created, 3 dispatched, 1 claimed
  CHECK_FALSE(b.take_delta().has_value());        // nothing new: no frame
  const std::string text = json::serialize(b.snapshot());
  CHECK(text.find("13800001111") == std::string::npos);  // create_args' caller
  CHECK(text.find("张") == std::string::npos);

  // A 红灯 (reply overdue) enters the red list; the delta names only that.
  WorkOrder o;
  auto h = history(3, true);
  for (const auto& e : h) apply(o, e);
  Event late{o.number,           static_cast<std::uint32_t>(o.version + 1),
             kT0 + 30 * kDay,    sys,
             EventType::overdue, {{"clock", "reply"}}};
  b.add_change(o, {late});
  auto d2 = b.take_delta();
  REQUIRE(d2);
  CHECK(d2->at("totals").at("overdue").as_int64() == 1);
  const auto& red = d2->at("lists").at("red").as_object();
  CHECK(red.at("total").to_number<int>() == 1);
  CHECK(red.at("upsert").as_array()[0].at("number").as_string() == o.number);
  CHECK_FALSE(d2->contains("by_status"));  // unchanged sections are left out
}

TEST_CASE("board: the same histories in any order make the same board (what replay relies on)") {
  std::vector<std::vector<Event>> hs;
  for (int n = 1; n <= 5; ++n) hs.push_back(history(n, n % 2 == 0));
  core::Board a(options()), z(options());
  a.set_now(kT0 + kHour);
  z.set_now(kT0 + kHour);
  for (const auto& h : hs) a.add_change(WorkOrder{}, h);
  for (auto it = hs.rbegin(); it != hs.rend(); ++it) z.add_change(WorkOrder{}, *it);
  a.take_delta();
  z.take_delta();
  CHECK(a.snapshot() == z.snapshot());
}
