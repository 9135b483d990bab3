#include "dispatcher/core/access.hpp"

namespace huying::core {

namespace {

// Sets of roles and states as bit masks (one bit per enum value).
using Mask = std::uint32_t;
template <class E>
constexpr Mask bit(E e) {
  return Mask{1} << static_cast<unsigned>(e);
}
template <class... E>
constexpr Mask bits(E... e) {
  return (Mask{0} | ... | bit(e));
}
template <class E>
constexpr bool in(E e, Mask m) {
  return (m & bit(e)) != 0;
}

std::string states_text(Mask states) {
  std::string out;
  for (std::size_t i = 0; i < EnumNames<Status>::names.size(); ++i) {
    if (!(states & (Mask{1} << i))) continue;
    if (!out.empty()) out += ", ";
    out += EnumNames<Status>::names[i];
  }
  return out;
}

// Which roles may issue each command (DOMAIN.md, Roles and Lifecycle).
Mask allowed_roles(CommandType t) {
  using R = Role;
  switch (t) {
    // system: orders that arrive without an operator (sensors, Open311 apps).
    // clerk, coordinator: 主动办 (未诉先办), an order the department opens itself.
    case CommandType::create:
      return bits(R::operator_, R::system, R::clerk, R::coordinator);
    case CommandType::answer:
    case CommandType::transfer_emergency:
    case CommandType::visit:
    case CommandType::reopen:
    case CommandType::merge:
    case CommandType::cancel:
      return bits(R::operator_);
    case CommandType::dispatch:
      return bits(R::dispatcher, R::system);
    case CommandType::arbitrate:
    case CommandType::decide_extension:
      return bits(R::dispatcher);
    case CommandType::claim:
    case CommandType::return_order:
    case CommandType::request_extension:
    case CommandType::note:
    case CommandType::reply:
      return bits(R::clerk, R::coordinator);
    case CommandType::close:
      return bits(R::operator_, R::system);
    case CommandType::supervise:
      return bits(R::dispatcher, R::leader);
    case CommandType::whistle:
      return bits(R::coordinator);
    case CommandType::amend:
      return bits(R::operator_, R::dispatcher);
    case CommandType::redispatch:
      return bits(R::dispatcher);
    case CommandType::transfer_out:
      return bits(R::operator_, R::dispatcher);
    // system: the platform link (next issue's outbox) records the other side's answers.
    case CommandType::external_ack:
    case CommandType::record_external_result:
      return bits(R::operator_, R::dispatcher, R::system);
    case CommandType::callback_failed:
      return bits(R::operator_);
    case CommandType::assist_opinion:
      return bits(R::clerk, R::coordinator);
    case CommandType::waive_opinions:
      return bits(R::dispatcher);
  }
  return 0;
}

// The states each command may start from.
Mask allowed_states(CommandType t) {
  using S = Status;
  switch (t) {
    case CommandType::create:
      return 0;
    case CommandType::answer:
    case CommandType::transfer_emergency:
    case CommandType::cancel:
      return bits(S::received);
    case CommandType::dispatch:
      return bits(S::received, S::returned);
    case CommandType::claim:
      return bits(S::dispatched);
    case CommandType::return_order:
      return bits(S::dispatched, S::claimed);
    case CommandType::arbitrate:
      return bits(S::returned);
    case CommandType::request_extension:
    case CommandType::decide_extension:
    case CommandType::note:
    case CommandType::reply:
      return bits(S::claimed);
    case CommandType::visit:
      return bits(S::replied);  // each caller until all have an outcome
    case CommandType::reopen:
      return bits(S::visited);
    // replied: when nobody is there to call back (an order a department opened itself).
    case CommandType::close:
      return bits(S::visited, S::replied);
    case CommandType::supervise:
    case CommandType::whistle:
      return bits(S::received, S::dispatched, S::claimed, S::returned, S::replied, S::visited);
    case CommandType::amend:
      return bits(S::received, S::dispatched, S::claimed, S::returned, S::replied, S::visited);
    case CommandType::redispatch:
      return bits(S::dispatched, S::claimed);
    case CommandType::transfer_out:
      return bits(S::received, S::returned);
    case CommandType::external_ack:
    case CommandType::record_external_result:
      return bits(S::transferred_out);
    case CommandType::callback_failed:
      return bits(S::replied);
    case CommandType::assist_opinion:
    case CommandType::waive_opinions:
      return bits(S::dispatched, S::claimed);
    case CommandType::merge:
      return bits(S::received, S::dispatched);
  }
  return 0;
}

}  // namespace

bool role_may(Role r, CommandType t) { return in(r, allowed_roles(t)); }
bool state_allows(Status s, CommandType t) { return in(s, allowed_states(t)); }
std::string allowed_states_text(CommandType t) { return states_text(allowed_states(t)); }

// Department scope: a clerk or coordinator acts only on orders of their own
// department (the lead for handling commands; lead or assisting for notes); a
// department leader only on their department's orders.
std::optional<Rejection> check_scope(const WorkOrder& o, const Actor& a, CommandType t) {
  auto out = [&] {
    return Rejection{RejectCode::out_of_scope, "",
                     "order " + o.number + " is not assigned to department " +
                         (a.dept.empty() ? std::string("(none)") : a.dept)};
  };
  switch (a.role) {
    case Role::clerk:
    case Role::coordinator: {
      if (t == CommandType::whistle && !a.area.empty() && a.area.size() >= 9 &&
          o.area.compare(0, 9, a.area, 0, 9) == 0)
        return std::nullopt;  // 吹哨: any order in the coordinator's street
      if (a.dept.empty()) return out();
      // Notes and 协办意见 come from any department on the order; the rest from the lead.
      bool lead_only = t != CommandType::note && t != CommandType::assist_opinion;
      const std::string* lead = o.lead_dept();
      if (lead_only ? !(lead && *lead == a.dept) : !o.has_dept(a.dept)) return out();
      return std::nullopt;
    }
    case Role::leader:
      if (!a.dept.empty() && !o.has_dept(a.dept)) return out();
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

Scope visible_scope(const Actor& a) {
  Scope s;
  switch (a.role) {
    case Role::operator_:
    case Role::dispatcher:
    case Role::admin:
    case Role::system:
      s.all = true;
      break;
    case Role::leader:
      if (a.dept.empty())
        s.all = true;
      else
        s.dept = a.dept;
      break;
    case Role::clerk:
      s.dept = a.dept;
      break;
    case Role::coordinator:
      s.dept = a.dept;
      if (a.area.size() >= 9) s.area_prefix = a.area.substr(0, 9);
      break;
  }
  return s;
}

bool can_see(const WorkOrder& o, const Actor& a) {
  Scope s = visible_scope(a);
  if (s.all) return true;
  if (!s.dept.empty() && o.has_dept(s.dept)) return true;
  return !s.area_prefix.empty() && o.area.compare(0, s.area_prefix.size(), s.area_prefix) == 0;
}

WorkOrder redact(WorkOrder o, const Actor& a) {
  switch (a.role) {
    case Role::operator_:
    case Role::dispatcher:
    case Role::system:
      break;
    case Role::clerk:
    case Role::coordinator:
      o.citizen.id_number.clear();
      if (o.confidential) {
        o.citizen.name.clear();
        o.citizen.phone.clear();
      }
      for (auto& c : o.callers) {
        c.citizen.id_number.clear();
        if (c.confidential) c.citizen = {};
      }
      break;
    case Role::leader:
    case Role::admin:
      o.citizen = {};
      for (auto& c : o.callers) c.citizen = {};
      break;
  }
  return o;
}

bool sees_contact(Role r) {
  return r == Role::operator_ || r == Role::dispatcher || r == Role::system;
}

namespace {
void drop_citizens(boost::json::value& v) {
  if (v.is_object()) {
    auto& o = v.get_object();
    o.erase("citizen");
    for (auto& kv : o) drop_citizens(kv.value());
  } else if (v.is_array()) {
    for (auto& e : v.get_array()) drop_citizens(e);
  }
}
}  // namespace

boost::json::object redact_event_data(boost::json::object data, const Actor& a) {
  if (sees_contact(a.role)) return data;
  boost::json::value v(std::move(data));
  drop_citizens(v);
  return std::move(v.get_object());
}

}  // namespace huying::core
