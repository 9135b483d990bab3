#include "dispatcher/core/command_args.hpp"

namespace huying::core {

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool valid_phone(std::string_view s) {
  int digits = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9')
      ++digits;
    else if (c == '+' && i == 0)
      continue;
    else if (c == '-' || c == ' ')
      continue;
    else
      return false;
  }
  return digits >= 5 && digits <= 20;
}

std::string normalize_phone(std::string_view s) {
  std::string digits;
  for (char c : s)
    if (c >= '0' && c <= '9') digits += c;
  const bool plus = !s.empty() && s.find_first_not_of(" ") != std::string_view::npos &&
                    s[s.find_first_not_of(" ")] == '+';
  if (plus && digits.rfind("86", 0) == 0 && digits.size() > 11)
    digits.erase(0, 2);
  else if (digits.rfind("0086", 0) == 0 && digits.size() > 13)
    digits.erase(0, 4);
  return digits;
}

const std::vector<std::string_view>& command_fields(CommandType t) {
  using V = std::vector<std::string_view>;
  static const V create{"kind",        "channel", "urgency",      "mode",    "category",
                        "description", "title",   "area",         "address", "lat",
                        "lng",         "citizen", "confidential", "origin",  "source"};
  static const V answer{"answer", "solved", "satisfaction"};
  static const V transfer_emergency{"line", "reference"};
  static const V dispatch{"lead", "assist", "mode", "ruling", "area"};
  static const V redispatch{"lead", "assist", "mode", "reason", "area"};
  static const V amend{"reason", "area",    "address", "category",
                       "kind",   "urgency", "mode",    "citizen"};
  static const V transfer_out{"platform", "reason", "reference"};
  static const V reference{"reference"};
  static const V external_result{"result", "reference"};
  static const V callback_failed{"caller", "note"};
  static const V text{"text"};
  static const V reason{"reason"};
  static const V return_order{"reason", "comment"};
  static const V request_extension{"reason", "new_due"};
  static const V decide_extension{"approve", "comment"};
  static const V reply{"result", "onsite", "public_result"};
  static const V visit{"solved", "satisfaction", "comment", "caller"};
  static const V supervise{"level", "comment"};
  static const V whistle{"depts", "comment"};
  static const V merge{"into"};
  static const V none{};
  switch (t) {
    case CommandType::create:
      return create;
    case CommandType::answer:
      return answer;
    case CommandType::transfer_emergency:
      return transfer_emergency;
    case CommandType::dispatch:
    case CommandType::arbitrate:
      return dispatch;
    case CommandType::redispatch:
      return redispatch;
    case CommandType::amend:
      return amend;
    case CommandType::transfer_out:
      return transfer_out;
    case CommandType::external_ack:
      return reference;
    case CommandType::record_external_result:
      return external_result;
    case CommandType::callback_failed:
      return callback_failed;
    case CommandType::assist_opinion:
    case CommandType::note:
      return text;
    case CommandType::waive_opinions:
    case CommandType::cancel:
    case CommandType::reopen:
      return reason;
    case CommandType::return_order:
      return return_order;
    case CommandType::request_extension:
      return request_extension;
    case CommandType::decide_extension:
      return decide_extension;
    case CommandType::reply:
      return reply;
    case CommandType::visit:
      return visit;
    case CommandType::supervise:
      return supervise;
    case CommandType::whistle:
      return whistle;
    case CommandType::merge:
      return merge;
    case CommandType::claim:
    case CommandType::close:
      return none;
  }
  return none;
}

namespace {
std::optional<Rejection> unknown_in(const boost::json::object& o,
                                    std::initializer_list<std::string_view> known,
                                    const std::string& prefix) {
  for (const auto& kv : o) {
    bool ok = false;
    for (auto k : known) ok = ok || kv.key() == k;
    if (!ok) {
      std::string f = prefix + std::string(kv.key());
      return Rejection{RejectCode::invalid_field, f, f + " is not a field of this command"};
    }
  }
  return std::nullopt;
}
}  // namespace

std::optional<Rejection> unknown_field(CommandType t, const boost::json::object& args) {
  const auto& known = command_fields(t);
  for (const auto& kv : args)
    if (std::find(known.begin(), known.end(), kv.key()) == known.end()) {
      std::string f(kv.key());
      return Rejection{RejectCode::invalid_field,
                       f, f + " is not a field of " + std::string(name(t)) + " (fields: " + [&] {
                         std::string all;
                         for (auto k : known) all += (all.empty() ? "" : ", ") + std::string(k);
                         return all.empty() ? std::string("none") : all;
                       }() + ")"};
    }
  if (auto* c = args.if_contains("citizen"); c && c->is_object())
    if (auto r = unknown_in(c->get_object(), {"name", "phone", "id_number"}, "citizen.")) return r;
  if (auto* o = args.if_contains("origin"); o && o->is_object())
    if (auto r = unknown_in(o->get_object(), {"platform", "reference"}, "origin.")) return r;
  if (auto* o = args.if_contains("onsite"); o && o->is_object())
    if (auto r = unknown_in(o->get_object(), {"at", "by", "place"}, "onsite.")) return r;
  return std::nullopt;
}

}  // namespace huying::core
