// Who may do and see what (DOMAIN.md, Roles): which roles may issue each
// command, from which states, and on which orders (department and street
// scope). The API and the live streams use exactly these tables.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "dispatcher/core/order.hpp"
#include "dispatcher/core/types.hpp"

namespace huying::core {

// True when role `r` may issue command `t` at all.
bool role_may(Role r, CommandType t);
// True when command `t` may start from state `s`.
bool state_allows(Status s, CommandType t);
// "received, returned": the states `t` may start from, for messages.
std::string allowed_states_text(CommandType t);

// Department scope: a clerk or coordinator acts only on orders of their own
// department (the lead for handling commands; lead or assisting for notes); a
// coordinator may 吹哨 on any order in their street; a department leader acts
// only on their department's orders. nullopt when in scope.
std::optional<Rejection> check_scope(const WorkOrder& o, const Actor& a, CommandType t);

// Which orders an actor may see: everything, or a department's orders (lead
// or assisting), or a street's (a coordinator sees the street's orders too).
struct Scope {
  bool all = false;
  std::string dept;         // orders with this department, lead or assisting
  std::string area_prefix;  // or orders whose area starts with this (a street's 9 digits)
};
Scope visible_scope(const Actor& a);
bool can_see(const WorkOrder& o, const Actor& a);

// The order as `a` may see it. The hotline (operator, dispatcher) and the
// system see the citizen's contact; a department sees name and phone but not
// the ID number, and nothing of a caller who asked for confidentiality
// (保密); leaders and administrators never see the contact.
// REQUIRES: can_see(o, a).
WorkOrder redact(WorkOrder o, const Actor& a);

// An event's data as `a` may see it: outside the hotline (operator,
// dispatcher, system) every citizen's contact is removed from the history;
// the order itself (redact) shows what the role may see of it.
boost::json::object redact_event_data(boost::json::object data, const Actor& a);

// True for the roles that see a caller's contact in clear (the hotline).
bool sees_contact(Role r);

}  // namespace huying::core
