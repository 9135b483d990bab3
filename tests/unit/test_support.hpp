// Helpers for core tests: actors, commands and orders brought to a given state.
#pragma once

#include <boost/json.hpp>
#include <stdexcept>
#include <string>

#include "dispatcher/core/lifecycle.hpp"

namespace huying::test {

using namespace huying::core;
namespace json = boost::json;

inline const Actor op{"op1", Role::operator_, "", ""};
inline const Actor disp{"disp1", Role::dispatcher, "", ""};
inline const Actor clerk_cg{"clerk-cg", Role::clerk, "cg", ""};  // 城管局
inline const Actor clerk_zj{"clerk-zj", Role::clerk, "zj", ""};  // 住建局
inline const Actor clerk_sw{"clerk-sw", Role::clerk, "sw", ""};  // 水务局 (assisting)
inline const Actor coord{"coord1", Role::coordinator, "jd01", "440605001000"};
inline const Actor leader{"leader1", Role::leader, "", ""};
inline const Actor leader_zj{"leader-zj", Role::leader, "zj", ""};
inline const Actor admin{"admin1", Role::admin, "", ""};
inline const Actor sys{"system", Role::system, "", ""};

inline constexpr Millis kT0 = 1764554400000;  // 2025-12-01 10:00 Asia/Shanghai

inline Command cmd(CommandType t, json::object args = {}) { return Command{t, std::move(args)}; }

inline json::object create_args(std::string kind = "complaint") {
  return {{"kind", kind},
          {"category", "城市管理/市容环境/占道经营"},
          {"description", "桂澜路夜市摊贩占道经营，晚上十点后仍很吵"},
          {"area", "440605001003"},
          {"address", "桂澜路88号"},
          {"citizen", {{"name", "张三"}, {"phone", "13812345678"}}}};
}

inline json::object reply_args() {
  return {{"result", "已联合执法队清理占道摊位"},
          {"onsite", {{"at", kT0}, {"by", "李队"}, {"place", "桂澜路88号"}}}};
}

// The code of a refusal. Throws (and so fails the CHECK around it) when the
// command was accepted: an accepted command has no rejection to compare.
inline RejectCode refused(const Decision& d) {
  if (d.ok()) throw std::runtime_error("expected a refusal, but the command was accepted");
  return d.rejection->code;
}

// Decides and applies one command; throws when it is rejected.
inline void step(WorkOrder& o, const Command& c, const Actor& a, Millis now, const SlaPolicy& sla) {
  DecideContext ctx;
  ctx.now = now;
  ctx.sla = &sla;
  static std::int64_t next_id = 0;
  ctx.allocate = [] {
    ++next_id;
    return std::pair{next_id, "HY20251201" + std::to_string(100000 + next_id)};
  };
  Decision d = decide(c.type == CommandType::create ? nullptr : &o, c, a, ctx);
  if (!d.ok())
    throw std::runtime_error("setup command " + std::string(name(c.type)) +
                             " rejected: " + d.rejection->reason);
  for (auto& e : d.events) apply(o, e);
}

// An order brought to `s` by the usual path (lead department cg, assisting sw).
inline WorkOrder order_in(Status s, std::string kind = "complaint", bool satisfied = true) {
  static NaturalSlaPolicy sla;
  WorkOrder o;
  Millis t = kT0;
  step(o, cmd(CommandType::create, create_args(kind)), op, t, sla);
  if (s == Status::received) return o;
  if (s == Status::transferred) {
    step(o, cmd(CommandType::transfer_emergency, {{"line", "119"}, {"reference", "F-1"}}), op, t,
         sla);
    return o;
  }
  if (s == Status::transferred_out) {
    step(o, cmd(CommandType::transfer_out, {{"platform", "gz12345"}, {"reason", "属广州市天河区"}}),
         op, t, sla);
    return o;
  }
  if (s == Status::cancelled) {
    step(o, cmd(CommandType::cancel, {{"reason", "空号骚扰"}}), op, t, sla);
    return o;
  }
  step(o, cmd(CommandType::dispatch, {{"lead", "cg"}, {"assist", json::array{"sw"}}}), disp,
       t += kMinute, sla);
  if (s == Status::dispatched) return o;
  if (s == Status::returned) {
    step(o, cmd(CommandType::return_order, {{"reason", "not_our_duty"}}), clerk_cg, t += kMinute,
         sla);
    return o;
  }
  step(o, cmd(CommandType::claim), clerk_cg, t += kMinute, sla);
  if (s == Status::claimed) return o;
  step(o, cmd(CommandType::reply, reply_args()), clerk_cg, t += kHour, sla);
  if (s == Status::replied) return o;
  step(o,
       cmd(CommandType::visit,
           {{"solved", satisfied}, {"satisfaction", satisfied ? "satisfied" : "unsatisfied"}}),
       op, t += kHour, sla);
  if (s == Status::visited) return o;
  step(o, cmd(CommandType::close), op, t += kMinute, sla);
  return o;
}

}  // namespace huying::test
