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

OrderQuery order_query(const OrderFilter& f, SqlDialect& d, std::size_t binds_before) {
  std::size_t binds = binds_before;
  auto text = [&](std::string v) {
    ++binds;
    return d.text(std::move(v));
  };
  auto integer = [&](std::int64_t v) {
    ++binds;
    return d.integer(v);
  };
  // Division codes are digits: [prefix, prefix + ':') is the prefix range.
  auto area_range = [&](const std::string& prefix) {
    std::string lo = text(prefix);
    return "area >= " + lo + " AND area < " + text(prefix + ":");
  };
  std::string where = " WHERE 1=1";
  if (!f.statuses.empty()) {
    where += " AND status IN (";
    for (std::size_t i = 0; i < f.statuses.size(); ++i)
      where += (i ? "," : "") + text(std::string(core::name(f.statuses[i])));
    where += ")";
  }
  if (!f.dept.empty())
    where += " AND id IN (SELECT order_id FROM order_depts WHERE dept = " + text(f.dept) + ")";
  if (!f.area_prefix.empty()) where += " AND " + area_range(f.area_prefix);
  if (f.kind) where += " AND kind = " + text(std::string(core::name(*f.kind)));
  if (f.created_from) where += " AND created_at >= " + integer(f.created_from);
  if (f.created_to) where += " AND created_at < " + integer(f.created_to);
  // LIKE with the pattern's own wildcards escaped: the value is literal.
  if (!f.category_prefix.empty()) {
    std::string exact = text(f.category_prefix);
    where += " AND (category = " + exact + " OR category LIKE " +
             text(like_literal(f.category_prefix) + "/%") + " ESCAPE '\\')";
  }
  if (f.mode)
    where += " AND " + d.doc_text("mode") + " = " + text(std::string(core::name(*f.mode)));
  if (f.urgency) where += " AND urgency = " + text(std::string(core::name(*f.urgency)));
  if (f.channel) where += " AND channel = " + text(std::string(core::name(*f.channel)));
  if (f.only_open) where += " AND " + d.is_open();
  if (f.overdue_at)
    where +=
        " AND " + d.is_open() + " AND next_due IS NOT NULL AND next_due < " + integer(f.overdue_at);
  if (f.sla_flags_any)
    where += " AND (" + d.doc_int("sla_flags") + " & " + integer(f.sla_flags_any) + ") != 0";
  for (const auto& flag : f.flags) {
    if (std::find(core::kOrderFlags.begin(), core::kOrderFlags.end(), flag) ==
        core::kOrderFlags.end())
      continue;  // the API validates names; an unknown one never reaches SQL text
    where += " AND " + d.doc_true(flag);
  }
  if (!f.text.empty()) {
    const std::string pat = "%" + like_literal(f.text) + "%";
    where += " AND (";
    const char* fields[] = {"description", "address", "title"};
    for (std::size_t i = 0; i < 3; ++i)
      where += std::string(i ? " OR " : "") + d.doc_text(fields[i]) + " LIKE " + text(pat) +
               " ESCAPE '\\'";
    where += ")";
  }
  if (!f.scope_all) {
    std::vector<std::string> any;
    if (!f.scope_dept.empty())
      any.push_back("id IN (SELECT order_id FROM order_depts WHERE dept = " + text(f.scope_dept) +
                    ")");
    if (!f.scope_area_prefix.empty()) any.push_back("(" + area_range(f.scope_area_prefix) + ")");
    if (any.empty()) {
      where += " AND 1=0";
    } else {
      where += " AND (" + any[0];
      for (std::size_t i = 1; i < any.size(); ++i) where += " OR " + any[i];
      where += ")";
    }
  }
  OrderQuery q;
  q.count_where = where;
  q.count_binds = binds;
  if (f.before_id > 0) where += " AND id < " + integer(f.before_id);
  q.page_where = std::move(where);
  q.order_by = f.by_deadline ? " ORDER BY next_due IS NULL, next_due, id" : " ORDER BY id DESC";
  return q;
}

}  // namespace huying::db
