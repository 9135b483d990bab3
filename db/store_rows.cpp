#include "db/store_rows.hpp"

#include <algorithm>

#include "dispatcher/core/command_args.hpp"

namespace huying::db {

std::vector<std::string> caller_phones(const core::WorkOrder& o) {
  std::vector<std::string> out;
  auto add = [&](const std::string& raw) {
    std::string p = core::normalize_phone(raw);
    if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end())
      out.push_back(std::move(p));
  };
  add(o.citizen.phone);
  for (const auto& c : o.callers) add(c.citizen.phone);
  return out;
}

bool starts_order(const Change& c) { return !c.events.empty() && c.events.front().seq == 1; }

bool callers_changed(const Change& c) {
  return starts_order(c) || std::any_of(c.events.begin(), c.events.end(), [](const core::Event& e) {
           return e.type == core::EventType::caller_added || e.type == core::EventType::amended;
         });
}

std::string like_literal(const std::string& v) {
  std::string out;
  for (char ch : v) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

}  // namespace huying::db
