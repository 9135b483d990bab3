// KPIs against a hand-computed table: five orders whose every event is known.
#include "dispatcher/core/kpi.hpp"

#include <catch2/catch.hpp>

#include "unit/test_support.hpp"

using namespace huying::test;

namespace {

NaturalSlaPolicy sla;

struct Story {
  WorkOrder o;
  std::vector<Event> events;
  void step(const Command& c, const Actor& a, Millis at) {
    DecideContext ctx;
    ctx.now = at;
    ctx.sla = &sla;
    static std::int64_t next = 0;
    ctx.allocate = [] {
      ++next;
      return std::pair<std::int64_t, std::string>{next,
                                                  "HY20251201" + std::to_string(700000 + next)};
    };
    Decision d = decide(c.type == CommandType::create ? nullptr : &o, c, a, ctx);
    INFO(name(c.type) << ": " << (d.ok() ? "" : d.rejection->reason));
    REQUIRE(d.ok());
    for (auto& e : d.events) {
      apply(o, e);
      events.push_back(e);
    }
  }
};

std::string street_of(std::string_view area) {
  return area.size() == 12 ? std::string(area.substr(0, 9)) + "000" : std::string();
}

}  // namespace

TEST_CASE("KPIs: every rate with its numerator and denominator, in total and by department") {
  const Millis t0 = kT0;
  const Millis to = t0 + 20 * kDay;
  std::vector<Story> s(5);
  for (auto& x : s) x.step(cmd(CommandType::create, create_args()), op, t0);
  // A: on time all the way, satisfied.
  s[0].step(cmd(CommandType::dispatch, {{"lead", "cg"}}), disp, t0 + 10 * kMinute);
  s[0].step(cmd(CommandType::claim), clerk_cg, t0 + 30 * kMinute);
  s[0].step(cmd(CommandType::reply, reply_args()), clerk_cg, t0 + kDay);
  s[0].step(cmd(CommandType::visit, {{"solved", true}, {"satisfaction", "satisfied"}}), op,
            t0 + kDay + kHour);
  // B: claimed late, replied late, unsatisfied, reopened.
  s[1].step(cmd(CommandType::dispatch, {{"lead", "cg"}}), disp, t0 + 20 * kMinute);
  s[1].step(cmd(CommandType::claim), clerk_cg, t0 + 3 * kHour);
  s[1].step(cmd(CommandType::reply, reply_args()), clerk_cg, t0 + 3 * kHour + 16 * kDay);
  s[1].step(cmd(CommandType::visit, {{"solved", false}, {"satisfaction", "unsatisfied"}}), op,
            t0 + 17 * kDay);
  s[1].step(cmd(CommandType::reopen, {{"reason", "未解决"}}), op, t0 + 17 * kDay + kHour);
  // C: zj returns it, the desk gives it to cg, claimed on time, still open and overdue at the end.
  s[2].step(cmd(CommandType::dispatch, {{"lead", "zj"}}), disp, t0 + 60 * kMinute);
  s[2].step(cmd(CommandType::return_order, {{"reason", "not_our_duty"}}), clerk_zj,
            t0 + 90 * kMinute);
  s[2].step(cmd(CommandType::arbitrate, {{"lead", "cg"}, {"ruling", "属城管"}}), disp,
            t0 + 100 * kMinute);
  s[2].step(cmd(CommandType::claim), clerk_cg, t0 + 110 * kMinute);
  // D: dispatched an hour before the end: its claim is pending, not late.
  s[3].step(cmd(CommandType::dispatch, {{"lead", "cg"}}), disp, to - kHour);
  // E: never dispatched.
  // An event after the window is not counted.
  s[0].step(cmd(CommandType::close), op, to + kMinute);

  KpiReport report(street_of, t0, to);
  for (const auto& x : s) report.add_history(x.events);
  const KpiCounts& c = report.kpi().total();
  CHECK(c.orders == 5);
  CHECK(c.dispatched == 5);
  CHECK(c.claimed == 3);
  CHECK(c.claimed_on_time == 2);
  CHECK(c.claim_pending == 1);
  CHECK(c.replied == 2);
  CHECK(c.replied_on_time == 1);
  CHECK(c.reply_overdue_open == 1);
  CHECK(c.rated == 2);
  CHECK(c.solved == 1);
  CHECK(c.satisfied == 1);
  CHECK(c.returned == 1);
  CHECK(c.reopened == 1);
  CHECK(c.first_dispatches == 4);

  KpiRates r = rates(c);
  CHECK(r.response.num == 3);
  CHECK(r.response.den == 4);
  CHECK(r.claim_on_time.rate() == Approx(0.5));
  CHECK(r.reply_on_time.num == 1);
  CHECK(r.reply_on_time.den == 3);  // open and overdue counts as late
  CHECK(r.solved.rate() == Approx(0.5));
  CHECK(r.satisfied.rate() == Approx(0.5));
  CHECK(r.returned.rate() == Approx(0.2));
  CHECK(r.reopened.rate() == Approx(0.5));
  CHECK(r.whistled.num == 0);
  CHECK(r.whistled.den == 5);
  CHECK(r.call_to_dispatch_minutes == Approx((10.0 + 20.0 + 60.0 + (20.0 * 24 * 60 - 60)) / 4));

  const auto& cg = report.kpi().by(KpiGroup::department).at("cg");
  CHECK(cg.dispatched == 4);
  CHECK(cg.claimed == 3);
  CHECK(cg.claimed_on_time == 2);
  CHECK(cg.claim_pending == 1);
  CHECK(cg.reply_overdue_open == 1);
  CHECK(cg.returned == 0);
  const auto& zj = report.kpi().by(KpiGroup::department).at("zj");
  CHECK(zj.dispatched == 1);
  CHECK(zj.returned == 1);
  CHECK(rates(zj).response.rate() == 0.0);
  const auto& street = report.kpi().by(KpiGroup::street).at("440605001000");
  CHECK(street.orders == 5);
  CHECK(report.kpi().by(KpiGroup::category).at("城市管理/市容环境/占道经营").orders == 5);
}

TEST_CASE("KPIs: counted incrementally as events come, the same as replayed afterwards") {
  Kpi live(street_of);
  Story x;
  x.step(cmd(CommandType::create, create_args()), op, kT0);
  x.step(cmd(CommandType::dispatch, {{"lead", "cg"}}), disp, kT0 + kMinute);
  x.step(cmd(CommandType::claim), clerk_cg, kT0 + 5 * kMinute);
  WorkOrder before;
  for (const auto& e : x.events) {
    live.add(before, e);
    apply(before, e);
  }
  KpiReport replayed(street_of, 0, kT0 + kDay);
  replayed.add_history(x.events);
  CHECK(live.total().claimed_on_time == replayed.kpi().total().claimed_on_time);
  CHECK(live.total().dispatched == replayed.kpi().total().dispatched);
  CHECK(live.total().dispatch_minutes == Approx(1.0));
}

TEST_CASE("KPIs: 改派 before the claim is not held against the first department") {
  Story x;
  x.step(cmd(CommandType::create, create_args()), op, kT0);
  x.step(cmd(CommandType::dispatch, {{"lead", "zj"}}), disp, kT0 + kMinute);
  x.step(cmd(CommandType::redispatch, {{"lead", "cg"}, {"reason", "属城管"}}), disp,
         kT0 + 5 * kMinute);
  x.step(cmd(CommandType::claim), clerk_cg, kT0 + 10 * kMinute);
  KpiReport r(street_of, kT0, kT0 + kDay);
  r.add_history(x.events);
  const auto& zj = r.kpi().by(KpiGroup::department).at("zj");
  CHECK(zj.dispatched == 1);
  CHECK(zj.withdrawn == 1);
  CHECK(rates(zj).response.den == 0);  // nothing to hold against zj
  CHECK(rates(zj).returned.num == 0);  // and no 退单
  const auto& cg = r.kpi().by(KpiGroup::department).at("cg");
  CHECK(rates(cg).response.num == 1);
  CHECK(rates(cg).response.den == 1);
  CHECK(rates(r.kpi().total()).response.den == 1);
}
