// The dispatch desk's corrections (amend, 改派, confirming a flagged place),
// 跨域转办 as a round trip, and a call-back for every caller (issue 7 items 3,
// 4 and 6), on the pure core with a natural-time policy.
#include <catch2/catch.hpp>

#include "dispatcher/core/access.hpp"
#include "dispatcher/core/escalation.hpp"
#include "dispatcher/core/sla_clock.hpp"
#include "unit/test_support.hpp"

using namespace huying::test;

namespace {

NaturalSlaPolicy sla;

DecideContext context(Millis now) {
  DecideContext ctx;
  ctx.now = now;
  ctx.sla = &sla;
  ctx.allocate = [] { return std::pair<std::int64_t, std::string>{77, "HY20251201000077"}; };
  ctx.area_placeable = [](std::string_view a) {
    return a.size() == 12 && a.substr(9) != "999" && a != "440605000000";
  };
  ctx.category_exists = [](std::string_view c) {
    return c.find("不存在") == std::string_view::npos;
  };
  ctx.platform_exists = [](std::string_view p) { return p == "gz12345"; };
  return ctx;
}

Decision run(const WorkOrder& o, const Command& c, const Actor& a, Millis now) {
  return decide(c.type == CommandType::create ? nullptr : &o, c, a, context(now));
}

// Decides and applies; fails the test when refused.
void must(WorkOrder& o, const Command& c, const Actor& a, Millis now) {
  Decision d = run(o, c, a, now);
  INFO(name(c.type) << ": " << (d.ok() ? std::string() : d.rejection->reason));
  REQUIRE(d.ok());
  for (auto& e : d.events) apply(o, e);
}

}  // namespace

TEST_CASE("amend: each changed field with old and new value, and the clock follows the new kind") {
  WorkOrder o = order_in(Status::claimed);  // a complaint: 15 days to reply
  REQUIRE(o.reply_due == o.claimed_at + 15 * kDay);
  Decision d = run(o,
                   cmd(CommandType::amend, {{"reason", "来电人实为咨询"},
                                            {"kind", "consult"},
                                            {"address", "桂澜路90号"},
                                            {"citizen", {{"phone", "13900001111"}}}}),
                   disp, kT0 + kHour);
  REQUIRE(d.ok());
  const auto& data = d.events.at(0).data;
  CHECK(data.at("reason").as_string() == "来电人实为咨询");
  const auto& changes = data.at("changes").as_array();
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].at("field").as_string() == "address");
  CHECK(changes[0].at("old").as_string() == "桂澜路88号");
  CHECK(changes[0].at("new").as_string() == "桂澜路90号");
  CHECK(changes[1].at("field").as_string() == "kind");
  CHECK(changes[1].at("old").as_string() == "complaint");
  CHECK(changes[2].at("field").as_string() == "citizen.phone");
  apply(o, d.events[0]);
  CHECK(o.kind == Kind::consult);
  CHECK(o.citizen.phone == "13900001111");
  CHECK(o.reply_due == o.claimed_at + 2 * kDay);  // recomputed: a consult has 2 days

  // Nothing that differs, a bad field, or no reason: refused, naming the field.
  CHECK(refused(run(o, cmd(CommandType::amend, {{"reason", "x"}, {"kind", "consult"}}), disp,
                    kT0)) == RejectCode::missing_field);
  CHECK(run(o, cmd(CommandType::amend, {{"reason", "x"}, {"area", "440605001999"}}), disp, kT0)
            .rejection->field == "area");
  CHECK(run(o, cmd(CommandType::amend, {{"reason", "x"}, {"category", "不存在/的分类"}}), disp, kT0)
            .rejection->field == "category");
  CHECK(run(o, cmd(CommandType::amend, {{"kind", "help"}}), disp, kT0).rejection->field ==
        "reason");
  CHECK(refused(run(o, cmd(CommandType::amend, {{"reason", "x"}, {"kind", "help"}}), clerk_cg,
                    kT0)) == RejectCode::forbidden);
}

TEST_CASE("amend: a flagged order gets its real place, and dispatch insists on one") {
  WorkOrder o = order_in(Status::received);
  o.area = "440605000000";  // placed at district level only, flagged
  o.needs_review = true;
  o.placement = "weak";
  auto no_area = run(o, cmd(CommandType::dispatch, {{"lead", "cg"}}), disp, kT0);
  REQUIRE_FALSE(no_area.ok());
  CHECK(no_area.rejection->field == "area");
  must(o, cmd(CommandType::amend, {{"reason", "核实为桂澜路"}, {"area", "440605001003"}}), disp,
       kT0);
  CHECK(o.area == "440605001003");
  CHECK_FALSE(o.needs_review);
  CHECK(o.placement == "confident");
  CHECK(o.placed_by == "desk");
  must(o, cmd(CommandType::dispatch, {{"lead", "cg"}}), disp, kT0 + kMinute);
  CHECK(o.status == Status::dispatched);
}

TEST_CASE("redispatch (改派): the first department's clock stops and it is not its 退单") {
  WorkOrder o = order_in(Status::claimed);  // led by cg
  const int returns = o.return_count;
  const Millis at = kT0 + 2 * kHour;
  must(o, cmd(CommandType::redispatch, {{"lead", "zj"}, {"reason", "属住建职责"}}), disp, at);
  CHECK(o.status == Status::dispatched);
  CHECK(*o.lead_dept() == "zj");
  CHECK(o.return_count == returns);
  CHECK(o.redispatch_count == 1);
  CHECK(o.dept_since == at);   // the second clock restarts for zj
  CHECK(o.created_at == kT0);  // the first never does
  CHECK(o.claim_due == at + 2 * kHour);
  CHECK(o.reply_due == 0);  // cg's handling clock is gone
  CHECK(refused(run(o, cmd(CommandType::claim), clerk_cg, at)) == RejectCode::out_of_scope);
  must(o, cmd(CommandType::claim), clerk_zj, at + kMinute);
  // To the same department again: refused.
  CHECK(run(o, cmd(CommandType::redispatch, {{"lead", "zj"}, {"reason", "x"}}), disp, at)
            .rejection->field == "lead");
  CHECK(run(o, cmd(CommandType::redispatch, {{"lead", "cg"}}), disp, at).rejection->field ==
        "reason");
}

TEST_CASE("疑难件 meant for the arbitration seat stays returned, ready to be arbitrated") {
  WorkOrder o = order_in(Status::dispatched);
  Escalator esc(default_escalation_rules());
  EscalationContext ectx;
  ectx.sla = &sla;
  ectx.arbitration_dept = "pd";
  ectx.difficult_target = [](const WorkOrder&) { return std::string("pd"); };
  Millis t = kT0 + kHour;
  for (int i = 0; i < 2; ++i) {
    must(o, cmd(CommandType::return_order, {{"reason", "not_our_duty"}}), clerk_cg, t += kMinute);
    ectx.now = t;
    for (auto& e :
         esc.react(o, Event{o.number, o.version, t, clerk_cg, EventType::returned, {}}, ectx))
      apply(o, e);
    if (i == 0)
      must(o, cmd(CommandType::arbitrate, {{"lead", "cg"}, {"ruling", "仍属城管"}}), disp,
           t += kMinute);
  }
  CHECK(o.difficult);
  CHECK(o.status == Status::returned);  // in the desk's arbitration inbox, not dispatched to pd
  must(o, cmd(CommandType::arbitrate, {{"lead", "zj"}, {"ruling", "疑难件：住建主办"}}), disp,
       t + kMinute);
  CHECK(*o.lead_dept() == "zj");
}

TEST_CASE("跨域转办: out with the other side's clocks, back with its result, then 回访 and close") {
  WorkOrder o = order_in(Status::received);
  const Millis t = kT0 + kHour;
  CHECK(run(o, cmd(CommandType::transfer_out, {{"platform", "sz12345"}, {"reason", "x"}}), op, t)
            .rejection->field == "platform");
  must(o, cmd(CommandType::transfer_out, {{"platform", "gz12345"}, {"reason", "属广州市天河区"}}),
       op, t);
  CHECK(o.status == Status::transferred_out);
  CHECK(o.open());
  CHECK(o.platform == "gz12345");
  CHECK(o.ack_due == t + kDay);  // one working day (natural stand-in: a day)
  CHECK(o.result_due == t + 15 * kDay);
  // Its clocks run: the acknowledgement is overdue first.
  CHECK(next_sla_instant(o, sla) == o.ack_due);
  auto late = fire_sla(o, o.ack_due, sla);
  REQUIRE(late.size() == 1);
  CHECK(late[0].type == EventType::overdue);
  CHECK(late[0].data.at("clock").as_string() == "ack");
  for (auto& e : late) apply(o, e);
  must(o, cmd(CommandType::external_ack, {{"reference", "GZ2025-0042"}}), sys, t + 2 * kDay);
  CHECK(o.external_ref == "GZ2025-0042");
  CHECK(refused(run(o, cmd(CommandType::external_ack, {{"reference", "again"}}), sys,
                    t + 2 * kDay)) == RejectCode::conflict);
  must(o, cmd(CommandType::record_external_result, {{"result", "天河区城管已清理"}}), sys,
       t + 5 * kDay);
  CHECK(o.status == Status::replied);
  CHECK(o.result == "天河区城管已清理");
  CHECK(o.visit_due == t + 6 * kDay);
  must(o, cmd(CommandType::visit, {{"solved", true}, {"satisfaction", "satisfied"}}), op,
       t + 5 * kDay + kHour);
  must(o, cmd(CommandType::close), op, t + 5 * kDay + 2 * kHour);
  CHECK(o.status == Status::closed);
}

TEST_CASE("跨域转办 in: the origin's reference travels with the order and the reply goes back") {
  WorkOrder o;
  json::object args = create_args();
  args["channel"] = "cross_domain";
  CHECK(run(o, cmd(CommandType::create, args), op, kT0).rejection->field == "origin");
  args["origin"] = {{"platform", "gz12345"}, {"reference", "GZ-777"}};
  must(o, cmd(CommandType::create, args), op, kT0);
  CHECK(o.channel == Channel::cross_domain);
  CHECK(o.origin_platform == "gz12345");
  CHECK(o.origin_ref == "GZ-777");
  must(o, cmd(CommandType::dispatch, {{"lead", "cg"}}), disp, kT0 + kMinute);
  must(o, cmd(CommandType::claim), clerk_cg, kT0 + 2 * kMinute);
  Decision d = run(o, cmd(CommandType::reply, reply_args()), clerk_cg, kT0 + kHour);
  REQUIRE(d.ok());
  CHECK(d.events[0].data.at("send_back").at("reference").as_string() == "GZ-777");
}

TEST_CASE("every caller is called back: a merged duplicate's caller too, before close") {
  WorkOrder dup = order_in(Status::received);
  dup.number = "HY20251201000500";
  dup.citizen = {"李四", "13700001111", ""};
  dup.confidential = true;
  WorkOrder o = order_in(Status::replied);
  Decision m = run(dup, cmd(CommandType::merge, {{"into", o.number}}), op, kT0 + kHour);
  REQUIRE(m.ok());
  apply(dup, m.events[0]);
  Event joined = caller_added_event(o, dup, m.events[0]);
  apply(o, joined);
  REQUIRE(o.callers.size() == 1);
  CHECK(o.callers[0].from == dup.number);
  CHECK(o.callers[0].citizen.phone == "13700001111");

  must(o, cmd(CommandType::visit, {{"solved", true}, {"satisfaction", "satisfied"}}), op,
       kT0 + 2 * kHour);
  CHECK(o.status == Status::replied);  // one caller still to call
  CHECK(refused(run(o, cmd(CommandType::close), op, kT0)) == RejectCode::invalid_state);
  CHECK(refused(run(o, cmd(CommandType::visit, {{"solved", true}, {"satisfaction", "satisfied"}}),
                    op, kT0)) == RejectCode::conflict);
  CHECK(run(o,
            cmd(CommandType::visit,
                {{"solved", true}, {"satisfaction", "satisfied"}, {"caller", "HY1"}}),
            op, kT0)
            .rejection->field == "caller");
  must(o,
       cmd(CommandType::visit,
           {{"solved", false}, {"satisfaction", "unsatisfied"}, {"caller", dup.number}}),
       op, kT0 + 3 * kHour);
  CHECK(o.status == Status::visited);
  CHECK(o.any_unsatisfied());  // one unhappy caller reopens the order
  must(o, cmd(CommandType::reopen, {{"reason", "李四不满意"}}), op, kT0 + 4 * kHour);
  CHECK_FALSE(
      o.callers[0].rating.has_value());  // everyone is called back again after the next reply

  // The merged caller asked for confidentiality: departments never see them.
  WorkOrder seen = redact(o, clerk_cg);
  CHECK(seen.callers[0].citizen.phone.empty());
  CHECK(seen.callers[0].citizen.name.empty());
  CHECK(seen.citizen.phone == o.citizen.phone);  // the first caller did not ask
  CHECK(redact(o, op).callers[0].citizen.phone == "13700001111");
  CHECK(redact(o, leader).citizen.phone.empty());
}

TEST_CASE("回访 unreachable after 3 calls over 2 working days, then the order may close") {
  WorkOrder o = order_in(Status::replied);
  const Millis day1 = kT0 + kDay;
  for (int i = 0; i < 3; ++i)
    must(o, cmd(CommandType::callback_failed, {{"note", "无人接听"}}), op, day1 + i * kHour);
  CHECK(o.callback_attempts == 3);
  CHECK_FALSE(o.unreachable);  // all on one day: not yet
  CHECK(o.status == Status::replied);
  must(o, cmd(CommandType::callback_failed), op, day1 + kDay);
  CHECK(o.unreachable);
  CHECK(o.status == Status::visited);
  CHECK_FALSE(o.rating.has_value());
  must(o, cmd(CommandType::close), op, day1 + kDay + kMinute);
  CHECK(o.status == Status::closed);
}

TEST_CASE("回访 gets 黄灯 and 红灯 like the other clocks") {
  WorkOrder o = order_in(Status::replied);
  REQUIRE(o.visit_due == o.replied_at + kDay);
  const Millis warn = sla.warn_at(o, o.replied_at, o.visit_due);
  auto w = fire_sla(o, warn, sla);
  REQUIRE(w.size() == 1);
  CHECK(w[0].type == EventType::warned);
  CHECK(w[0].data.at("clock").as_string() == "visit");
  for (auto& e : w) apply(o, e);
  auto r = fire_sla(o, o.visit_due, sla);
  REQUIRE(r.size() == 1);
  CHECK(r[0].type == EventType::overdue);
}

TEST_CASE("confidential 举报: departments never see name or phone, the hotline does") {
  WorkOrder o;
  json::object args = create_args("report");
  args["confidential"] = true;
  must(o, cmd(CommandType::create, args), op, kT0);
  must(o, cmd(CommandType::dispatch, {{"lead", "cg"}}), disp, kT0 + kMinute);
  CHECK(o.confidential);
  WorkOrder c = redact(o, clerk_cg);
  CHECK(c.citizen.name.empty());
  CHECK(c.citizen.phone.empty());
  CHECK(redact(o, op).citizen.phone == "13812345678");
  CHECK(redact(o, disp).citizen.name == "张三");
  CHECK(can_see(o, clerk_cg));
  CHECK_FALSE(can_see(o, clerk_zj));
}

TEST_CASE("六办 立即办: a consult answered and rated on the call closes at once") {
  WorkOrder o;
  must(o, cmd(CommandType::create, create_args("consult")), op, kT0);
  CHECK(o.mode == Mode::immediate);  // a consult is not 上门办
  must(o,
       cmd(CommandType::answer, {{"answer", "工作日9点到17点办理"}, {"satisfaction", "satisfied"}}),
       op, kT0 + kMinute);
  CHECK(o.status == Status::closed);
  CHECK(o.rating.has_value());
  // A complaint handled 上门办 cannot be answered on the call.
  WorkOrder c = order_in(Status::received);
  CHECK(refused(run(c, cmd(CommandType::answer, {{"answer", "x"}}), op, kT0)) ==
        RejectCode::invalid_state);
}

TEST_CASE("六办 上门办 alone needs a visit record in the reply") {
  WorkOrder o = order_in(Status::claimed);
  REQUIRE(o.mode == Mode::onsite);
  CHECK(run(o, cmd(CommandType::reply, {{"result", "已处理"}}), clerk_cg, kT0 + kDay)
            .rejection->field == "onsite");
  must(o, cmd(CommandType::amend, {{"reason", "改为积极办以外的公开办"}, {"mode", "public"}}), disp,
       kT0 + kDay);
  must(o, cmd(CommandType::reply, {{"result", "已处理"}, {"public_result", "占道摊位已清理"}}),
       clerk_cg, kT0 + kDay);
  CHECK(o.published);  // 公开办: marked for publication
  CHECK(o.public_result == "占道摊位已清理");
}

TEST_CASE("六办 跟踪办: a progress note is due every 5 working days, with 黄灯, 红灯 and 催办") {
  WorkOrder o = order_in(Status::dispatched);
  must(o, cmd(CommandType::amend, {{"reason", "需长期跟踪"}, {"mode", "tracked"}}), disp,
       kT0 + kHour);
  const Millis claimed = kT0 + 2 * kHour;
  must(o, cmd(CommandType::claim), clerk_cg, claimed);
  CHECK(o.note_due == claimed + 5 * kDay);
  Escalator esc(default_escalation_rules());
  CHECK(next_timer(o, sla, &esc) <= o.note_due);
  EscalationContext ectx;
  ectx.sla = &sla;
  ectx.now = o.note_due;
  auto fired = fire_timers(o, o.note_due, sla, &esc, ectx);
  bool red = false, urged = false;
  for (const auto& e : fired) {
    red = red || (e.type == EventType::overdue && e.data.at("clock").as_string() == "note");
    urged = urged || (e.type == EventType::escalated &&
                      e.data.at("rule").as_string() == "跟踪办进展逾期催办");
  }
  CHECK(red);
  CHECK(urged);
  for (auto& e : fired) apply(o, e);
  // The lead's note restarts the clock; an assisting department's does not.
  must(o, cmd(CommandType::note, {{"text", "协调中"}}), clerk_sw, o.note_due + kHour);
  CHECK(o.note_due == claimed + 5 * kDay);
  must(o, cmd(CommandType::note, {{"text", "已约谈业主"}}), clerk_cg, claimed + 6 * kDay);
  CHECK(o.note_due == claimed + 11 * kDay);
  CHECK((o.sla_flags & kNoteOverdue) == 0);
  CHECK(o.note_escalations.empty());
}

TEST_CASE("六办 积极办: the lead's reply waits for each 协办意见, or the desk's waiver") {
  WorkOrder o = order_in(Status::dispatched);  // cg leads, sw assists
  must(o, cmd(CommandType::amend, {{"reason", "多部门协同"}, {"mode", "coordinated"}}), disp,
       kT0 + kHour);
  must(o, cmd(CommandType::claim), clerk_cg, kT0 + 2 * kHour);
  auto early = run(o, cmd(CommandType::reply, {{"result", "已处理"}}), clerk_cg, kT0 + kDay);
  REQUIRE_FALSE(early.ok());
  CHECK(early.rejection->reason.find("sw") != std::string::npos);
  // Only an assisting department gives a 协办意见, once.
  CHECK(refused(run(o, cmd(CommandType::assist_opinion, {{"text", "x"}}), clerk_cg, kT0)) ==
        RejectCode::out_of_scope);
  CHECK(refused(run(o, cmd(CommandType::assist_opinion, {{"text", "x"}}), clerk_zj, kT0)) ==
        RejectCode::out_of_scope);
  must(o, cmd(CommandType::assist_opinion, {{"text", "管网无问题，同意城管处理"}}), clerk_sw,
       kT0 + 3 * kHour);
  CHECK(refused(run(o, cmd(CommandType::assist_opinion, {{"text", "again"}}), clerk_sw, kT0)) ==
        RejectCode::conflict);
  must(o, cmd(CommandType::reply, {{"result", "已联合处理"}}), clerk_cg, kT0 + kDay);
  CHECK(o.status == Status::replied);

  WorkOrder w = order_in(Status::claimed);
  must(w, cmd(CommandType::amend, {{"reason", "多部门协同"}, {"mode", "coordinated"}}), disp,
       kT0 + kHour);
  must(w, cmd(CommandType::waive_opinions, {{"reason", "水务局已电话确认"}}), disp,
       kT0 + 2 * kHour);
  must(w, cmd(CommandType::reply, {{"result", "已处理"}}), clerk_cg, kT0 + kDay);
}

TEST_CASE("六办 主动办: a department opens an order itself and it enters the same lifecycle") {
  WorkOrder o;
  json::object args = create_args();
  args.erase("citizen");
  args["source"] = "patrol";
  must(o, cmd(CommandType::create, args), clerk_cg, kT0);
  CHECK(o.mode == Mode::proactive);
  CHECK(o.channel == Channel::patrol);
  CHECK(o.source == "patrol");
  CHECK(o.status == Status::dispatched);
  CHECK(*o.lead_dept() == "cg");
  must(o, cmd(CommandType::claim), clerk_cg, kT0 + kMinute);
  must(o, cmd(CommandType::reply, {{"result", "巡查发现并已清理"}}), clerk_cg, kT0 + kHour);
  // Nobody to call back: it may close.
  CHECK(o.callbacks_done());
  must(o, cmd(CommandType::close), op, kT0 + 2 * kHour);
  CHECK(run(o,
            cmd(CommandType::create, {{"kind", "complaint"},
                                      {"category", "x"},
                                      {"description", "d"},
                                      {"area", "440605001003"},
                                      {"source", "patrol"},
                                      {"mode", "onsite"}}),
            clerk_cg, kT0)
            .rejection->field == "mode");
}
