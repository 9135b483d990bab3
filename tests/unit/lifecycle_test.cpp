// Every legal and every illegal transition of DOMAIN.md's lifecycle table.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "unit/test_support.hpp"

using namespace huying::test;

namespace {

NaturalSlaPolicy sla;

Decision run(const WorkOrder& o, const Command& c, const Actor& a, Millis now = kT0 + kDay) {
  DecideContext ctx;
  ctx.now = now;
  ctx.sla = &sla;
  ctx.allocate = [] { return std::pair<std::int64_t, std::string>{99, "HY20251201999999"}; };
  return decide(c.type == CommandType::create ? nullptr : &o, c, a, ctx);
}

const std::vector<Status> kAllStates = {
    Status::received,  Status::dispatched,     Status::claimed, Status::returned,
    Status::replied,   Status::visited,        Status::closed,  Status::transferred,
    Status::cancelled, Status::transferred_out};
const std::vector<Actor> kAllRoles = {op, disp, clerk_cg, coord, leader, admin, sys};

// DOMAIN.md's table, written out independently of lifecycle.cpp.
struct Rule {
  CommandType cmd;
  std::set<Status> from;
  std::set<Role> roles;
  json::object args;  // valid arguments
  Actor actor;        // an actor allowed to act on order_in(...)
};

std::vector<Rule> rules() {
  const std::set<Status> open_states = {Status::received, Status::dispatched, Status::claimed,
                                        Status::returned, Status::replied,    Status::visited};
  return {
      {CommandType::answer,
       {Status::received},
       {Role::operator_},
       {{"answer", "办理时间为工作日9点到17点"}},
       op},
      {CommandType::transfer_emergency,
       {Status::received},
       {Role::operator_},
       {{"line", "110"}, {"reference", "P-77"}},
       op},
      {CommandType::dispatch,
       {Status::received, Status::returned},
       {Role::dispatcher, Role::system},
       {{"lead", "zj"}},
       disp},
      {CommandType::claim, {Status::dispatched}, {Role::clerk, Role::coordinator}, {}, clerk_cg},
      {CommandType::return_order,
       {Status::dispatched, Status::claimed},
       {Role::clerk, Role::coordinator},
       {{"reason", "wrong_area"}},
       clerk_cg},
      {CommandType::arbitrate,
       {Status::returned},
       {Role::dispatcher},
       {{"lead", "zj"}, {"ruling", "属住建职责"}},
       disp},
      {CommandType::request_extension,
       {Status::claimed},
       {Role::clerk, Role::coordinator},
       {{"reason", "需协调产权单位"}, {"new_due", kT0 + 20 * kDay}},
       clerk_cg},
      {CommandType::note,
       {Status::claimed},
       {Role::clerk, Role::coordinator},
       {{"text", "已现场查看"}},
       clerk_cg},
      {CommandType::reply,
       {Status::claimed},
       {Role::clerk, Role::coordinator},
       reply_args(),
       clerk_cg},
      {CommandType::visit,
       {Status::replied},
       {Role::operator_},
       {{"solved", true}, {"satisfaction", "basically_satisfied"}},
       op},
      {CommandType::close,
       {Status::visited, Status::replied},
       {Role::operator_, Role::system},
       {},
       op},
      {CommandType::supervise,
       open_states,
       {Role::dispatcher, Role::leader},
       {{"comment", "请加快办理"}},
       disp},
      {CommandType::merge,
       {Status::received, Status::dispatched},
       {Role::operator_},
       {{"into", "HY20251201000001"}},
       op},
      {CommandType::cancel, {Status::received}, {Role::operator_}, {{"reason", "无效来电"}}, op},
      {CommandType::amend,
       open_states,
       {Role::operator_, Role::dispatcher},
       {{"reason", "地址有误"}, {"address", "桂澜路90号"}},
       disp},
      {CommandType::redispatch,
       {Status::dispatched, Status::claimed},
       {Role::dispatcher},
       {{"lead", "zj"}, {"reason", "属住建职责"}},
       disp},
      {CommandType::transfer_out,
       {Status::received, Status::returned},
       {Role::operator_, Role::dispatcher},
       {{"platform", "gz12345"}, {"reason", "属广州市"}},
       op},
      {CommandType::external_ack,
       {Status::transferred_out},
       {Role::operator_, Role::dispatcher, Role::system},
       {{"reference", "GZ-1"}},
       op},
      {CommandType::record_external_result,
       {Status::transferred_out},
       {Role::operator_, Role::dispatcher, Role::system},
       {{"result", "已处理"}},
       op},
      {CommandType::callback_failed, {Status::replied}, {Role::operator_}, {}, op},
  };
}

}  // namespace

TEST_CASE("create: an operator logs an order, it starts received with both clocks at the call") {
  WorkOrder o;
  Decision d = run(o, cmd(CommandType::create, create_args()), op, kT0);
  REQUIRE(d.ok());
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].type == EventType::created);
  CHECK(d.events[0].seq == 1);
  apply(o, d.events[0]);
  CHECK(o.status == Status::received);
  CHECK(o.number == "HY20251201999999");
  CHECK(o.id == 99);
  CHECK(o.created_at == kT0);
  CHECK(o.kind == Kind::complaint);
  CHECK(o.mode == Mode::onsite);
  CHECK(o.citizen.phone == "13812345678");
  CHECK(o.title == "桂澜路夜市摊贩占道经营，晚上十点后仍很吵");
  CHECK(o.version == 1);
}

TEST_CASE(
    "create: urgent orders default to 立即办 and long descriptions give a 30-character title") {
  auto args = create_args();
  args["urgency"] = "urgent";
  args["description"] = std::string(40, 'x') + "尾";
  WorkOrder o;
  auto d = run(o, cmd(CommandType::create, args), op, kT0);
  REQUIRE(d.ok());
  apply(o, d.events[0]);
  CHECK(o.mode == Mode::immediate);
  CHECK(o.title == std::string(30, 'x'));
}

TEST_CASE("create: bad intake is rejected naming the field") {
  struct Case {
    const char* what;
    std::function<void(json::object&)> edit;
    RejectCode code;
    std::string field;
  };
  std::vector<Case> cases = {
      {"no kind", [](auto& a) { a.erase("kind"); }, RejectCode::missing_field, "kind"},
      {"unknown kind", [](auto& a) { a["kind"] = "praise"; }, RejectCode::invalid_field, "kind"},
      {"blank description", [](auto& a) { a["description"] = "  "; }, RejectCode::missing_field,
       "description"},
      {"no category", [](auto& a) { a.erase("category"); }, RejectCode::missing_field, "category"},
      {"short area code", [](auto& a) { a["area"] = "4406"; }, RejectCode::invalid_field, "area"},
      {"no place at all",
       [](auto& a) {
         a.erase("area");
         a.erase("address");
       },
       RejectCode::missing_field, "address"},
      {"bad phone", [](auto& a) { a["citizen"].as_object()["phone"] = "call me"; },
       RejectCode::invalid_field, "citizen.phone"},
      {"bad id number", [](auto& a) { a["citizen"].as_object()["id_number"] = "123"; },
       RejectCode::invalid_field, "citizen.id_number"},
      {"lat out of range",
       [](auto& a) {
         a["lat"] = 123.0;
         a["lng"] = 113.1;
       },
       RejectCode::invalid_field, "lat"},
      {"lat without lng", [](auto& a) { a["lat"] = 23.0; }, RejectCode::invalid_field, "lng"},
      {"channel typo", [](auto& a) { a["channel"] = "fax"; }, RejectCode::invalid_field, "channel"},
      {"description not text", [](auto& a) { a["description"] = 5; }, RejectCode::invalid_field,
       "description"},
  };
  for (auto& c : cases) {
    INFO(c.what);
    auto args = create_args();
    c.edit(args);
    WorkOrder o;
    auto d = run(o, cmd(CommandType::create, args), op, kT0);
    REQUIRE_FALSE(d.ok());
    CHECK(d.rejection->code == c.code);
    CHECK(d.rejection->field == c.field);
    CHECK(d.events.empty());
  }
}

TEST_CASE("every legal transition produces its event and state") {
  struct Legal {
    Status from;
    CommandType cmd;
    Actor actor;
    json::object args;
    EventType event;
    Status to;
  };
  std::vector<Legal> table = {
      {Status::received,
       CommandType::answer,
       op,
       {{"answer", "可携带身份证到政务中心办理"}},
       EventType::answered,
       Status::replied},
      {Status::received,
       CommandType::transfer_emergency,
       op,
       {{"line", "119"}, {"reference", "F-9"}},
       EventType::transferred,
       Status::transferred},
      {Status::received,
       CommandType::dispatch,
       disp,
       {{"lead", "cg"}},
       EventType::dispatched,
       Status::dispatched},
      {Status::received,
       CommandType::dispatch,
       sys,
       {{"lead", "cg"}},
       EventType::dispatched,
       Status::dispatched},
      {Status::returned,
       CommandType::dispatch,
       disp,
       {{"lead", "zj"}},
       EventType::dispatched,
       Status::dispatched},
      {Status::dispatched, CommandType::claim, clerk_cg, {}, EventType::claimed, Status::claimed},
      {Status::dispatched,
       CommandType::return_order,
       clerk_cg,
       {{"reason", "not_our_duty"}},
       EventType::returned,
       Status::returned},
      {Status::claimed,
       CommandType::return_order,
       clerk_cg,
       {{"reason", "insufficient_info"}},
       EventType::returned,
       Status::returned},
      {Status::returned,
       CommandType::arbitrate,
       disp,
       {{"lead", "cg"}, {"ruling", "经核实属城管职责"}},
       EventType::dispatched,
       Status::dispatched},
      {Status::claimed,
       CommandType::request_extension,
       clerk_cg,
       {{"reason", "需协调"}, {"new_due", kT0 + 20 * kDay}},
       EventType::extension_requested,
       Status::claimed},
      {Status::claimed,
       CommandType::note,
       clerk_cg,
       {{"text", "已约谈摊主"}},
       EventType::noted,
       Status::claimed},
      {Status::claimed,
       CommandType::note,
       clerk_sw,
       {{"text", "协办：已排查管网"}},
       EventType::noted,
       Status::claimed},
      {Status::claimed, CommandType::reply, clerk_cg, reply_args(), EventType::replied,
       Status::replied},
      {Status::replied,
       CommandType::visit,
       op,
       {{"solved", true}, {"satisfaction", "satisfied"}},
       EventType::visited,
       Status::visited},
      {Status::visited, CommandType::close, op, {}, EventType::closed, Status::closed},
      {Status::visited, CommandType::close, sys, {}, EventType::closed, Status::closed},
      {Status::claimed,
       CommandType::supervise,
       leader,
       {{"comment", "群众反映强烈，限期办结"}},
       EventType::supervised,
       Status::claimed},
      {Status::dispatched,
       CommandType::supervise,
       disp,
       {{"level", "urge"}, {"comment", "请尽快签收"}},
       EventType::supervised,
       Status::dispatched},
      {Status::received,
       CommandType::merge,
       op,
       {{"into", "HY20251201000001"}},
       EventType::merged,
       Status::cancelled},
      {Status::dispatched,
       CommandType::merge,
       op,
       {{"into", "HY20251201000001"}},
       EventType::merged,
       Status::cancelled},
      {Status::received,
       CommandType::cancel,
       op,
       {{"reason", "测试来电"}},
       EventType::cancelled,
       Status::cancelled},
  };
  for (auto& row : table) {
    INFO(name(row.cmd) << " from " << name(row.from) << " by " << row.actor.user);
    auto kind = row.cmd == CommandType::answer ? "consult" : "complaint";
    WorkOrder o = order_in(row.from, kind);
    REQUIRE(o.status == row.from);
    auto d = run(o, cmd(row.cmd, row.args), row.actor);
    REQUIRE(d.ok());
    REQUIRE(d.events.size() == 1);
    CHECK(d.events[0].type == row.event);
    CHECK(d.events[0].seq == o.version + 1);
    CHECK(d.events[0].actor.user == row.actor.user);
    apply(o, d.events[0]);
    CHECK(o.status == row.to);
  }
}

TEST_CASE("reopen and whistle, the transitions that need a particular order") {
  SECTION("an unsatisfied call-back reopens with the same department") {
    WorkOrder o = order_in(Status::visited, "complaint", /*satisfied=*/false);
    auto d = run(o, cmd(CommandType::reopen, {{"reason", "市民称摊贩仍在"}}), op);
    REQUIRE(d.ok());
    apply(o, d.events[0]);
    CHECK(o.status == Status::claimed);
    CHECK(*o.lead_dept() == "cg");
    CHECK(o.reopen_count == 1);
    CHECK(o.reply_due > kT0 + kDay);
    CHECK_FALSE(o.rating.has_value());
  }
  SECTION("an order answered on the call (no department) reopens to the desk, not to nobody") {
    WorkOrder o = order_in(Status::received, "consult");
    step(o,
         cmd(CommandType::answer,
             {{"answer", "已解答"}, {"solved", false}, {"satisfaction", "unsatisfied"}}),
         op, kT0 + kMinute, sla);
    REQUIRE(o.status == Status::visited);
    REQUIRE(o.lead_dept() == nullptr);
    auto d = run(o, cmd(CommandType::reopen, {{"reason", "市民仍有疑问"}}), op);
    REQUIRE(d.ok());
    apply(o, d.events[0]);
    CHECK(o.status == Status::received);
    CHECK(o.reply_due == 0);
    CHECK(o.claimed_at == 0);
    CHECK(o.reopen_count == 1);
  }
  SECTION("a satisfied, solved order cannot be reopened") {
    WorkOrder o = order_in(Status::visited);
    auto d = run(o, cmd(CommandType::reopen), op);
    REQUIRE_FALSE(d.ok());
    CHECK(d.rejection->code == RejectCode::invalid_state);
  }
  SECTION("a street coordinator whistles district departments into the street's order") {
    WorkOrder o = order_in(Status::received);
    step(o, cmd(CommandType::dispatch, {{"lead", "jd01"}}), disp, kT0 + kMinute, sla);
    auto d = run(o,
                 cmd(CommandType::whistle,
                     {{"depts", json::array{"cg", "zj"}}, {"comment", "违建涉及多部门"}}),
                 coord);
    REQUIRE(d.ok());
    CHECK(d.events[0].type == EventType::whistled);
    CHECK(d.events[0].data.at("report_due").as_int64() == kT0 + kDay + 30 * kMinute);
    apply(o, d.events[0]);
    REQUIRE(o.whistles.size() == 2);
    CHECK(o.whistles[0].dept == "cg");
    CHECK(o.whistles[1].dept == "zj");
    CHECK(o.whistles[1].due == kT0 + kDay + 30 * kMinute);
    // Calling the same department twice is refused.
    auto again = run(o, cmd(CommandType::whistle, {{"depts", json::array{"zj"}}}), coord);
    REQUIRE_FALSE(again.ok());
    CHECK(again.rejection->field == "depts");
  }
  SECTION("a coordinator whistles on any order in the street, never outside it") {
    WorkOrder o = order_in(Status::claimed);  // led by 城管 (cg), in the coordinator's street
    CHECK(run(o, cmd(CommandType::whistle, {{"depts", json::array{"zj"}}}), coord).ok());
    o.area = "440605002001";  // another street
    auto d = run(o, cmd(CommandType::whistle, {{"depts", json::array{"zj"}}}), coord);
    REQUIRE_FALSE(d.ok());
    CHECK(d.rejection->code == RejectCode::out_of_scope);
    // ...and whistling does not make them a clerk of that order.
    o.area = "440605001003";
    CHECK(refused(run(o, cmd(CommandType::note, {{"text", "x"}}), coord)) ==
          RejectCode::out_of_scope);
  }
}

TEST_CASE("every command is refused from every state the table does not allow") {
  int checked = 0;
  for (const auto& r : rules()) {
    for (Status s : kAllStates) {
      if (r.from.count(s)) continue;
      INFO(name(r.cmd) << " from " << name(s));
      WorkOrder o = order_in(s);
      auto d = run(o, cmd(r.cmd, r.args), r.actor);
      REQUIRE_FALSE(d.ok());
      CHECK(d.rejection->code == RejectCode::invalid_state);
      CHECK(d.events.empty());
      ++checked;
    }
  }
  // whistle and reopen too (they need a coordinator's / an unsatisfied order).
  for (Status s : {Status::closed, Status::transferred, Status::cancelled}) {
    WorkOrder o = order_in(s);
    CHECK(refused(run(o, cmd(CommandType::whistle, {{"depts", json::array{"zj"}}}), coord)) ==
          RejectCode::invalid_state);
    CHECK(refused(run(o, cmd(CommandType::reopen), op)) == RejectCode::invalid_state);
  }
  CHECK(checked > 80);
}

TEST_CASE("every command is refused to every role the table does not allow") {
  for (const auto& r : rules()) {
    Status s = *r.from.begin();
    for (const auto& a : kAllRoles) {
      if (r.roles.count(a.role)) continue;
      INFO(name(r.cmd) << " by " << name(a.role));
      WorkOrder o = order_in(s);
      auto d = run(o, cmd(r.cmd, r.args), a);
      REQUIRE_FALSE(d.ok());
      CHECK(d.rejection->code == RejectCode::forbidden);
    }
  }
  for (const auto& a : {disp, leader, admin}) {
    WorkOrder o;
    auto d = run(o, cmd(CommandType::create, create_args()), a);
    REQUIRE_FALSE(d.ok());
    CHECK(d.rejection->code == RejectCode::forbidden);
  }
  // A clerk opens an order only as 主动办, saying where it came from.
  WorkOrder o;
  auto d = run(o, cmd(CommandType::create, create_args()), clerk_cg);
  REQUIRE_FALSE(d.ok());
  CHECK(d.rejection->field == "source");
}

TEST_CASE("a department's clerk never touches another department's order") {
  struct Case {
    Status from;
    CommandType cmd;
    Actor actor;
    json::object args;
  };
  std::vector<Case> cases = {
      {Status::dispatched, CommandType::claim, clerk_zj, {}},
      {Status::dispatched, CommandType::return_order, clerk_zj, {{"reason", "not_our_duty"}}},
      {Status::claimed, CommandType::reply, clerk_zj, reply_args()},
      {Status::claimed, CommandType::note, clerk_zj, {{"text", "x"}}},
      {Status::claimed,
       CommandType::request_extension,
       clerk_zj,
       {{"reason", "x"}, {"new_due", kT0 + 20 * kDay}}},
      // an assisting department may note, but not claim, return or reply
      {Status::dispatched, CommandType::claim, clerk_sw, {}},
      {Status::claimed, CommandType::reply, clerk_sw, reply_args()},
      {Status::claimed, CommandType::return_order, clerk_sw, {{"reason", "not_our_duty"}}},
      // a clerk with no department
      {Status::dispatched, CommandType::claim, Actor{"x", Role::clerk, "", ""}, {}},
      // a street coordinator is a clerk of the street hub only
      {Status::dispatched, CommandType::claim, coord, {}},
      // a department leader supervises only their department's orders
      {Status::claimed, CommandType::supervise, leader_zj, {{"comment", "x"}}},
  };
  for (auto& c : cases) {
    INFO(name(c.cmd) << " by " << c.actor.user);
    WorkOrder o = order_in(c.from);
    auto d = run(o, cmd(c.cmd, c.args), c.actor);
    REQUIRE_FALSE(d.ok());
    CHECK(d.rejection->code == RejectCode::out_of_scope);
  }
}

TEST_CASE("required fields: each command names the missing one") {
  struct Case {
    Status from;
    CommandType cmd;
    Actor actor;
    json::object args;
    std::string field;
    RejectCode code = RejectCode::missing_field;
  };
  std::vector<Case> cases = {
      {Status::received, CommandType::answer, op, {}, "answer"},
      {Status::received, CommandType::transfer_emergency, op, {{"line", "119"}}, "reference"},
      {Status::received,
       CommandType::transfer_emergency,
       op,
       {{"line", "12345"}, {"reference", "r"}},
       "line",
       RejectCode::invalid_field},
      {Status::received, CommandType::dispatch, disp, {}, "lead"},
      {Status::received,
       CommandType::dispatch,
       disp,
       {{"lead", "cg"}, {"assist", json::array{"cg"}}},
       "assist",
       RejectCode::invalid_field},
      {Status::received,
       CommandType::dispatch,
       disp,
       {{"lead", "cg"}, {"assist", "sw"}},
       "assist",
       RejectCode::invalid_field},
      {Status::returned, CommandType::arbitrate, disp, {{"lead", "cg"}}, "ruling"},
      {Status::dispatched, CommandType::return_order, clerk_cg, {}, "reason"},
      {Status::dispatched,
       CommandType::return_order,
       clerk_cg,
       {{"reason", "bored"}},
       "reason",
       RejectCode::invalid_field},
      {Status::dispatched, CommandType::return_order, clerk_cg, {{"reason", "other"}}, "comment"},
      {Status::claimed,
       CommandType::request_extension,
       clerk_cg,
       {{"new_due", kT0 + 20 * kDay}},
       "reason"},
      {Status::claimed, CommandType::request_extension, clerk_cg, {{"reason", "x"}}, "new_due"},
      {Status::claimed,
       CommandType::request_extension,
       clerk_cg,
       {{"reason", "x"}, {"new_due", "tomorrow"}},
       "new_due",
       RejectCode::invalid_field},
      {Status::claimed, CommandType::note, clerk_cg, {{"text", ""}}, "text"},
      {Status::claimed,
       CommandType::reply,
       clerk_cg,
       {{"onsite", reply_args()["onsite"]}},
       "result"},
      {Status::claimed, CommandType::reply, clerk_cg, {{"result", "已处理"}}, "onsite"},
      {Status::claimed,
       CommandType::reply,
       clerk_cg,
       {{"result", "已处理"}, {"onsite", {{"at", kT0}, {"by", "李"}}}},
       "onsite.place"},
      {Status::replied, CommandType::visit, op, {{"satisfaction", "satisfied"}}, "solved"},
      {Status::replied, CommandType::visit, op, {{"solved", true}}, "satisfaction"},
      {Status::replied,
       CommandType::visit,
       op,
       {{"solved", "yes"}, {"satisfaction", "satisfied"}},
       "solved",
       RejectCode::invalid_field},
      {Status::claimed, CommandType::supervise, disp, {}, "comment"},
      {Status::received, CommandType::merge, op, {}, "into"},
      {Status::received, CommandType::cancel, op, {{"reason", " "}}, "reason"},
  };
  for (auto& c : cases) {
    INFO(name(c.cmd) << " " << json::serialize(c.args));
    WorkOrder o = order_in(c.from);
    auto d = run(o, cmd(c.cmd, c.args), c.actor);
    REQUIRE_FALSE(d.ok());
    CHECK(d.rejection->code == c.code);
    CHECK(d.rejection->field == c.field);
    CHECK(d.rejection->reason.find(c.field.substr(c.field.rfind('.') + 1)) != std::string::npos);
  }
}

TEST_CASE("extensions: before the deadline, within policy, one at a time, decided by the desk") {
  WorkOrder o = order_in(Status::claimed);
  const Millis due = o.reply_due;
  REQUIRE(due > 0);
  json::object ok_args{{"reason", "需协调产权单位"}, {"new_due", due + 5 * kDay}};

  SECTION("asking after the deadline is refused") {
    auto d = run(o, cmd(CommandType::request_extension, ok_args), clerk_cg, due);
    REQUIRE_FALSE(d.ok());
    CHECK(d.rejection->field == "new_due");
  }
  SECTION("a new deadline not later than the current one is refused") {
    auto d =
        run(o, cmd(CommandType::request_extension, {{"reason", "x"}, {"new_due", due}}), clerk_cg);
    REQUIRE_FALSE(d.ok());
    CHECK(d.rejection->code == RejectCode::invalid_field);
  }
  SECTION("a new deadline past the policy's limit is refused") {
    auto d = run(o,
                 cmd(CommandType::request_extension,
                     {{"reason", "x"}, {"new_due", sla.max_extended_due(o) + 1}}),
                 clerk_cg);
    REQUIRE_FALSE(d.ok());
    CHECK(d.rejection->reason.find("policy") != std::string::npos);
  }
  SECTION("approved: the deadline moves, refused: it stays and a reason is required") {
    step(o, cmd(CommandType::request_extension, ok_args), clerk_cg, kT0 + kDay, sla);
    REQUIRE(o.extension.has_value());
    auto dup = run(o, cmd(CommandType::request_extension, ok_args), clerk_cg);
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.rejection->code == RejectCode::conflict);

    auto no_reason = run(o, cmd(CommandType::decide_extension, {{"approve", false}}), disp);
    REQUIRE_FALSE(no_reason.ok());
    CHECK(no_reason.rejection->field == "comment");
    CHECK(refused(run(o, cmd(CommandType::decide_extension, {{"approve", true}}), clerk_cg)) ==
          RejectCode::forbidden);

    WorkOrder refused = o;
    step(refused,
         cmd(CommandType::decide_extension, {{"approve", false}, {"comment", "理由不充分"}}), disp,
         kT0 + kDay, sla);
    CHECK(refused.reply_due == due);
    CHECK_FALSE(refused.extension.has_value());

    step(o, cmd(CommandType::decide_extension, {{"approve", true}}), disp, kT0 + kDay, sla);
    CHECK(o.reply_due == due + 5 * kDay);
    CHECK(o.extension_count == 1);
    CHECK_FALSE(o.extension.has_value());
  }
  SECTION("deciding with nothing pending is refused") {
    auto d = run(o, cmd(CommandType::decide_extension, {{"approve", true}}), disp);
    REQUIRE_FALSE(d.ok());
    CHECK(d.rejection->code == RejectCode::invalid_state);
  }
}

TEST_CASE("special rules: answer only consults, merge not into itself, unknown departments") {
  WorkOrder complaint = order_in(Status::received, "complaint");
  auto a = run(complaint, cmd(CommandType::answer, {{"answer", "x"}}), op);
  REQUIRE_FALSE(a.ok());
  CHECK(a.rejection->field == "kind");

  auto m = run(complaint, cmd(CommandType::merge, {{"into", complaint.number}}), op);
  REQUIRE_FALSE(m.ok());
  CHECK(m.rejection->field == "into");

  DecideContext ctx;
  ctx.now = kT0;
  ctx.sla = &sla;
  ctx.dept_exists = [](std::string_view d) { return d == "cg" || d == "zj"; };
  auto d = decide(&complaint, cmd(CommandType::dispatch, {{"lead", "nope"}}), disp, ctx);
  REQUIRE_FALSE(d.ok());
  CHECK(d.rejection->field == "lead");
  CHECK(d.rejection->reason.find("nope") != std::string::npos);
  auto d2 = decide(&complaint,
                   cmd(CommandType::dispatch, {{"lead", "cg"}, {"assist", json::array{"zz"}}}),
                   disp, ctx);
  REQUIRE_FALSE(d2.ok());
  CHECK(d2.rejection->field == "assist");
}

TEST_CASE(
    "the two clocks: a return never resets the call time, re-dispatch restarts the department's") {
  WorkOrder o = order_in(Status::returned);
  const Millis called = o.created_at;
  step(o, cmd(CommandType::arbitrate, {{"lead", "zj"}, {"ruling", "属住建"}}), disp,
       kT0 + 3 * kHour, sla);
  CHECK(o.created_at == called);
  CHECK(o.dept_since == kT0 + 3 * kHour);
  CHECK(*o.lead_dept() == "zj");
  CHECK(o.return_count == 1);
  CHECK(o.claim_due == kT0 + 5 * kHour);  // normal: 2 hours to claim
}

TEST_CASE("replay: applying the stored history rebuilds the same order, through JSON") {
  WorkOrder o;
  std::vector<Event> history;
  auto record = [&](const Command& c, const Actor& a, Millis t) {
    DecideContext ctx;
    ctx.now = t;
    ctx.sla = &sla;
    ctx.allocate = [] { return std::pair<std::int64_t, std::string>{7, "HY20251201000007"}; };
    auto d = decide(c.type == CommandType::create ? nullptr : &o, c, a, ctx);
    REQUIRE(d.ok());
    for (auto& e : d.events) {
      apply(o, e);
      history.push_back(event_from_json(json::parse(json::serialize(to_json(e)))));
    }
  };
  record(cmd(CommandType::create, create_args()), op, kT0);
  record(cmd(CommandType::dispatch, {{"lead", "cg"}, {"assist", json::array{"sw"}}}), disp,
         kT0 + kMinute);
  record(cmd(CommandType::claim), clerk_cg, kT0 + 2 * kMinute);
  record(cmd(CommandType::supervise, {{"comment", "加快"}}), leader, kT0 + kHour);
  record(cmd(CommandType::reply, reply_args()), clerk_cg, kT0 + 2 * kHour);
  record(cmd(CommandType::visit, {{"solved", false}, {"satisfaction", "unsatisfied"}}), op,
         kT0 + 3 * kHour);
  record(cmd(CommandType::reopen, {{"reason", "未解决"}}), op, kT0 + 4 * kHour);

  WorkOrder r = replay(history);
  CHECK(json::serialize(to_json(r)) == json::serialize(to_json(o)));
  CHECK(r.version == 7);
  CHECK(r.supervised);
  WorkOrder back = order_from_json(json::parse(json::serialize(to_json(o))));
  CHECK(json::serialize(to_json(back)) == json::serialize(to_json(o)));
}

TEST_CASE("phone numbers are masked for logs and displays") {
  CHECK(mask_phone("13812345678") == "138****5678");
  CHECK(mask_phone("1234") == "****");
  CHECK(mask_phone("") == "");
}
