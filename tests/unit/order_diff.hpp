// Field-by-field comparison of work orders, for round-trip tests: comparing
// to_json(a) with to_json(b) cannot see a field that to_json itself drops.
// Keep in step with WorkOrder (order.hpp): every field is listed here.
#pragma once

#include <sstream>
#include <string>

#include "dispatcher/core/order.hpp"

namespace huying::test {

// The names of the fields that differ ("" when none), e.g. "return_count reply_due".
inline std::string order_diff(const core::WorkOrder& a, const core::WorkOrder& b) {
  std::ostringstream out;
  auto field = [&](const char* name, bool same) {
    if (!same) out << name << ' ';
  };
  field("id", a.id == b.id);
  field("number", a.number == b.number);
  field("channel", a.channel == b.channel);
  field("kind", a.kind == b.kind);
  field("urgency", a.urgency == b.urgency);
  field("mode", a.mode == b.mode);
  field("category", a.category == b.category);
  field("area", a.area == b.area);
  field("address", a.address == b.address);
  field("lat", a.lat == b.lat);
  field("lng", a.lng == b.lng);
  field("title", a.title == b.title);
  field("description", a.description == b.description);
  field("citizen.name", a.citizen.name == b.citizen.name);
  field("citizen.phone", a.citizen.phone == b.citizen.phone);
  field("citizen.id_number", a.citizen.id_number == b.citizen.id_number);
  field("placed_by", a.placed_by == b.placed_by);
  field("needs_review", a.needs_review == b.needs_review);
  field("placement", a.placement == b.placement);
  field("candidates", a.candidates == b.candidates);
  field("proposal", a.proposal.has_value() == b.proposal.has_value());
  if (a.proposal && b.proposal) {
    field("proposal.lead", a.proposal->lead == b.proposal->lead);
    field("proposal.assist", a.proposal->assist == b.proposal->assist);
    field("proposal.transfer_line", a.proposal->transfer_line == b.proposal->transfer_line);
    field("proposal.cue_words", a.proposal->cue_words == b.proposal->cue_words);
    field("proposal.rule", a.proposal->rule == b.proposal->rule);
    field("proposal.reason", a.proposal->reason == b.proposal->reason);
    field("proposal.config_version", a.proposal->config_version == b.proposal->config_version);
  }
  field("status", a.status == b.status);
  bool depts = a.depts.size() == b.depts.size();
  for (std::size_t i = 0; depts && i < a.depts.size(); ++i)
    depts = a.depts[i].dept == b.depts[i].dept && a.depts[i].role == b.depts[i].role;
  field("depts", depts);
  field("created_at", a.created_at == b.created_at);
  field("updated_at", a.updated_at == b.updated_at);
  field("dispatched_at", a.dispatched_at == b.dispatched_at);
  field("dept_since", a.dept_since == b.dept_since);
  field("claimed_at", a.claimed_at == b.claimed_at);
  field("replied_at", a.replied_at == b.replied_at);
  field("visited_at", a.visited_at == b.visited_at);
  field("closed_at", a.closed_at == b.closed_at);
  field("claim_due", a.claim_due == b.claim_due);
  field("reply_due", a.reply_due == b.reply_due);
  field("visit_due", a.visit_due == b.visit_due);
  field("extension", a.extension.has_value() == b.extension.has_value());
  if (a.extension && b.extension) {
    field("extension.reason", a.extension->reason == b.extension->reason);
    field("extension.requested_due", a.extension->requested_due == b.extension->requested_due);
    field("extension.requested_at", a.extension->requested_at == b.extension->requested_at);
    field("extension.by", a.extension->by == b.extension->by);
  }
  field("supervised", a.supervised == b.supervised);
  field("difficult", a.difficult == b.difficult);
  field("duplicate", a.duplicate == b.duplicate);
  field("return_count", a.return_count == b.return_count);
  field("reopen_count", a.reopen_count == b.reopen_count);
  field("supervise_count", a.supervise_count == b.supervise_count);
  field("extension_count", a.extension_count == b.extension_count);
  field("rating", a.rating.has_value() == b.rating.has_value());
  if (a.rating && b.rating) {
    field("rating.solved", a.rating->solved == b.rating->solved);
    field("rating.satisfaction", a.rating->satisfaction == b.rating->satisfaction);
    field("rating.comment", a.rating->comment == b.rating->comment);
  }
  field("result", a.result == b.result);
  field("merged_into", a.merged_into == b.merged_into);
  field("transfer_line", a.transfer_line == b.transfer_line);
  field("transfer_ref", a.transfer_ref == b.transfer_ref);
  field("parent", a.parent == b.parent);
  bool whistles = a.whistles.size() == b.whistles.size();
  for (std::size_t i = 0; whistles && i < a.whistles.size(); ++i)
    whistles = a.whistles[i].dept == b.whistles[i].dept &&
               a.whistles[i].child == b.whistles[i].child &&
               a.whistles[i].due == b.whistles[i].due &&
               a.whistles[i].reported_at == b.whistles[i].reported_at;
  field("whistles", whistles);
  field("escalations", a.escalations == b.escalations);
  field("clock_escalations", a.clock_escalations == b.clock_escalations);
  field("reported_list", a.reported_list == b.reported_list);
  field("hot_spot", a.hot_spot == b.hot_spot);
  field("sla_flags", a.sla_flags == b.sla_flags);
  field("version", a.version == b.version);
  return out.str();
}

}  // namespace huying::test
