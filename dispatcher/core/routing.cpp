#include "dispatcher/core/routing.hpp"

#include <algorithm>

namespace huying::core {

namespace {
std::string key(const std::string& a, const std::string& b) { return a + '\n' + b; }

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

const char* level_name(AreaLevel l) {
  switch (l) {
    case AreaLevel::district: return "区";
    case AreaLevel::city: return "市";
    case AreaLevel::street: return "街道/镇";
    case AreaLevel::community: return "社区/村";
  }
  return "";
}

// "a/b/c" -> {"a/b/c", "a/b", "a"}
std::vector<std::string> path_prefixes(const std::string& path) {
  std::vector<std::string> out;
  std::string p = path;
  while (!p.empty()) {
    out.push_back(p);
    auto slash = p.rfind('/');
    if (slash == std::string::npos) break;
    p.resize(slash);
  }
  return out;
}
}  // namespace

Router::Router(const Deployment& d) : d_(d), tree_(d) {
  for (const auto& dep : d.departments) {
    by_id_.emplace(dep.id, &dep);
    by_type_area_.emplace(key(dep.type, dep.area), &dep);
  }
  for (const auto& c : d.categories) categories_.emplace(c.path, &c);
  // First written wins for the same (category, area): the loader reports the
  // later one as a rule that can never fire.
  for (const auto& o : d.overrides) overrides_.emplace(key(o.category, o.area), &o);
  for (const auto& e : d.emergency)
    for (const auto& k : e.keywords) cues_.push_back({ascii_lower(k), e.line});
  // Longest keyword first: "gas leak" before "gas".
  std::stable_sort(cues_.begin(), cues_.end(),
                   [](const Cue& a, const Cue& b) { return a.keyword.size() > b.keyword.size(); });
}

const Department* Router::dept_at(const std::string& type, const std::string& area) const {
  auto it = by_type_area_.find(key(type, area));
  return it == by_type_area_.end() ? nullptr : it->second;
}

const Department* Router::dept(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

const Category* Router::category(const std::string& path) const {
  auto it = categories_.find(path);
  return it == categories_.end() ? nullptr : it->second;
}

Route Router::route(const RouteInput& in) const {
  Route r;
  r.config_version = d_.version;

  // 1. Emergency cues.
  if (!cues_.empty()) {
    std::string text = ascii_lower(in.text);
    for (const auto& c : cues_) {
      if (text.find(c.keyword) == std::string::npos) continue;
      r.transfer_line = c.line;
      r.rule = "emergency:" + c.line;
      r.reason = "诉求内容含紧急线索“" + c.keyword + "”，建议转" + c.line;
      return r;
    }
  }

  auto chain = tree_.ancestors(in.area);
  if (chain.empty() && tree_.district()) chain.push_back(tree_.district());

  // 2. Explicit overrides: deepest area first, then longest category prefix.
  auto prefixes = path_prefixes(in.category);
  for (const Area* a : chain) {
    for (const auto& p : prefixes) {
      auto it = overrides_.find(key(p, a->code));
      if (it == overrides_.end()) continue;
      const RoutingOverride& o = *it->second;
      r.lead = o.lead;
      r.assist = o.assist;
      r.rule = "override:" + o.name;
      r.matched_area = a->code;
      r.matched_level = a->level;
      r.reason = "专项规则“" + o.name + "”：" + p + " 在 " + a->name + " 由 " +
                 (dept(o.lead) ? dept(o.lead)->name : o.lead) + " 主办";
      return r;
    }
  }

  // 3. 属地管理: the category's department type, walking up from the area.
  const Category* cat = nullptr;
  for (const auto& p : prefixes)
    if ((cat = category(p)) && !cat->type.empty()) break;
  if (cat && !cat->type.empty()) {
    for (const Area* a : chain) {
      const Department* dep = dept_at(cat->type, a->code);
      if (!dep) continue;
      r.lead = dep->id;
      r.rule = "local:" + cat->type;
      r.matched_area = a->code;
      r.matched_level = a->level;
      r.reason = std::string("属地管理：") + cat->path + " 由" + level_name(a->level) + "（" + a->name +
                 "）的 " + dep->name + " 主办";
      // 协办: each assisting type, found the same way, never the lead itself.
      for (const auto& t : cat->assist_types) {
        for (const Area* b : chain) {
          const Department* as = dept_at(t, b->code);
          if (as && as->id != r.lead &&
              std::find(r.assist.begin(), r.assist.end(), as->id) == r.assist.end()) {
            r.assist.push_back(as->id);
            break;
          }
        }
      }
      return r;
    }
  }

  // 4. Fallback: the street hub, or the district arbitration seat.
  for (const Area* a : chain) {
    if (a->level != AreaLevel::street) continue;
    if (const Department* hub = dept_at(d_.fallback_type, a->code)) {
      r.lead = hub->id;
      r.rule = "fallback:" + d_.fallback_type;
      r.matched_area = a->code;
      r.matched_level = a->level;
      r.reason = std::string(cat ? "无对应职能部门" : "未知分类“" + in.category + "”") + "，由 " +
                 a->name + " 的 " + hub->name + " 兜底";
      return r;
    }
  }
  r.lead = d_.arbitration_dept;
  r.rule = "fallback:arbitration";
  r.matched_area = tree_.district() ? tree_.district()->code : std::string();
  r.matched_level = tree_.district() ? tree_.district()->level : AreaLevel::district;
  const Department* arb = dept(d_.arbitration_dept);
  r.reason = "未能定位到街道，由 " + (arb ? arb->name : d_.arbitration_dept) + " 研判派单";
  return r;
}

std::string RuleSet::difficult_target(const WorkOrder& o) const {
  const Deployment& d = *deployment;
  const std::string* current = o.lead_dept();
  for (const Area* a : router->areas().ancestors(o.area)) {
    if (a->level != AreaLevel::street) continue;
    const Department* hub = router->dept_at(d.fallback_type, a->code);
    if (hub && !(current && *current == hub->id)) return hub->id;
  }
  return d.arbitration_dept;
}

std::shared_ptr<const RuleSet> make_rule_set(std::shared_ptr<const Deployment> d) {
  auto rs = std::make_shared<RuleSet>();
  rs->router = std::make_unique<Router>(*d);
  rs->escalator = std::make_unique<Escalator>(d->escalation);
  if (d->sla) rs->sla = std::make_unique<ConfiguredSlaPolicy>(*d->sla);
  rs->deployment = std::move(d);
  return rs;
}

}  // namespace huying::core
