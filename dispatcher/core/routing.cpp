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
    case AreaLevel::district:
      return "区";
    case AreaLevel::city:
      return "市";
    case AreaLevel::street:
      return "街道/镇";
    case AreaLevel::community:
      return "社区/村";
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
  for (std::size_t i = 0; i < d.emergency.size(); ++i)
    for (const auto& k : d.emergency[i].keywords) {
      cue_matcher_.add(ascii_lower(k), static_cast<std::uint32_t>(cue_words_.size()));
      cue_words_.push_back({ascii_lower(k), d.emergency[i].line, i});
    }
  cue_matcher_.build();
}

namespace {

// The sentence or clause around [b, e): from the last delimiter before b to
// the first one after e.
std::pair<std::size_t, std::size_t> span_around(std::string_view t, std::size_t b, std::size_t e,
                                                bool clause) {
  static constexpr std::string_view kSentence[] = {"。", "！", "？", "；", "!",
                                                   "?",  ";",  "\n", ". "};
  static constexpr std::string_view kClause[] = {"，", ",", "、", "但", "可是", "不过"};
  std::size_t from = 0, to = t.size();
  auto scan = [&](std::string_view d) {
    auto before = b >= d.size() ? t.rfind(d, b - d.size()) : std::string_view::npos;
    if (before != std::string_view::npos && before + d.size() <= b)
      from = std::max(from, before + d.size());
    auto after = t.find(d, e);
    if (after != std::string_view::npos) to = std::min(to, after);
  };
  for (auto d : kSentence) scan(d);
  if (clause)
    for (auto d : kClause) scan(d);
  return {from, to};
}

bool contains_any(std::string_view s, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (s.find(w) != std::string_view::npos) return true;
  return false;
}

// A negator before the cue word in its clause ("不是燃气泄漏", "没有着火"),
// but not a question ("是不是燃气泄漏", "有没有着火"); or a hypothetical
// ("万一着火", "担心燃气泄漏").
bool negated(std::string_view t, std::size_t b, std::size_t e) {
  auto [from, to] = span_around(t, b, e, true);
  std::string_view before = t.substr(from, b - from);
  if (before.size() > 30) before = before.substr(before.size() - 30);  // about 10 characters
  static constexpr std::string_view kNeg[] = {"不是", "没有", "没",     "并非",   "并无",
                                              "无",   "未",   "不存在", "排除",   "不像",
                                              "别",   "not ", "no ",    "isn't ", "without "};
  for (auto n : kNeg) {
    auto at = before.rfind(n);
    if (at == std::string_view::npos) continue;
    std::string_view pre = before.substr(0, at);
    bool question =
        (n == "不是" && pre.size() >= 3 && pre.substr(pre.size() - 3) == "是") ||
        ((n == "没有" || n == "没") && pre.size() >= 3 && pre.substr(pre.size() - 3) == "有");
    if (!question) return true;
  }
  // Hypothetical: "万一着火怎么办", "担心燃气泄漏", "以防火灾".
  static constexpr std::string_view kHypothetical[] = {"万一", "如果",   "假如", "要是",   "以防",
                                                       "防止", "预防",   "担心", "怕",     "隐患",
                                                       "避免", "会不会", "if ",  "in case"};
  for (auto h : kHypothetical)
    if (before.find(h) != std::string_view::npos) return true;
  return false;
}

// A past event in the cue's sentence ("昨天…晕倒后护士很久才来") with nothing
// saying it is still going on ("现在还有烟").
bool past(std::string_view t, std::size_t b, std::size_t e) {
  auto [from, to] = span_around(t, b, e, false);
  std::string_view sentence = t.substr(from, to - from);
  std::string_view before = t.substr(from, b - from);
  if (contains_any(sentence, {"现在",   "正在",   "目前",   "还在",   "还有", "仍然", "仍在",
                              "一直有", "一直在", "一直闻", "一直冒", "开始", "刚刚", "刚才",
                              "马上",   "赶紧",   "快来",   "尽快",   "此刻", "now",  "still "}))
    return false;
  return contains_any(
      before, {"昨天",   "昨晚", "前天",     "前几天",    "几天前",    "上周",      "上星期",
               "上个月", "上月", "去年",     "之前",      "以前",      "曾经",      "当时",
               "那天",   "上次", "早些时候", "yesterday", "last week", "last month"});
}

}  // namespace

std::optional<Cue> Router::cue(std::string_view text) const {
  if (cue_words_.empty()) return std::nullopt;
  std::string lower = ascii_lower(text);
  std::optional<std::size_t> best_order;
  std::vector<std::pair<std::size_t, std::string>> found;  // (line order, word)
  for (const auto& h : cue_matcher_.find_all(lower)) {
    if (negated(lower, h.begin, h.end) || past(lower, h.begin, h.end)) continue;
    const CueWord& w = cue_words_[h.id];
    found.emplace_back(w.order, std::string(text.substr(h.begin, h.end - h.begin)));
    if (!best_order || w.order < *best_order) best_order = w.order;
  }
  if (!best_order) return std::nullopt;
  Cue c;
  c.line = d_.emergency[*best_order].line;
  for (const auto& [order, word] : found)
    if (order == *best_order && std::find(c.words.begin(), c.words.end(), word) == c.words.end())
      c.words.push_back(word);
  return c;
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

  // Emergency cues are a proposal beside the route, never instead of it.
  if (auto c = cue(in.text)) {
    r.transfer_line = c->line;
    r.cue = std::move(c);
  }
  auto with_cue = [&](Route& out) {
    if (!out.cue) return;
    std::string words;
    for (const auto& w : out.cue->words) words += (words.empty() ? "" : "、") + w;
    out.reason += "；诉求内容含紧急线索“" + words + "”，建议转" + out.cue->line + "，请话务员确认";
  };

  // 0. Not placed in the district: the dispatch desk decides.
  if (in.placement == Confidence::unknown || in.placement == Confidence::outside) {
    const bool outside = in.placement == Confidence::outside;
    r.rule = outside ? "review:outside" : "review:unknown_place";
    r.matched_area = tree_.district() ? tree_.district()->code : std::string();
    r.reason = outside ? "地址不在本辖区，请派单员核实后跨域转办或派单"
                       : "地址无法定位，请派单员核实地址后派单";
    with_cue(r);
    return r;
  }

  auto chain = tree_.ancestors(in.area);
  if (chain.empty() && tree_.district()) chain.push_back(tree_.district());

  // 1. Explicit overrides: deepest area first, then longest category prefix.
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
      with_cue(r);
      return r;
    }
  }

  // 2. 属地管理: the category's department type, walking up from the area.
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
      r.reason = std::string("属地管理：") + cat->path + " 由" + level_name(a->level) + "（" +
                 a->name + "）的 " + dep->name + " 主办";
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
      with_cue(r);
      return r;
    }
  }

  // 3. Fallback: the street hub, or the district arbitration seat.
  for (const Area* a : chain) {
    if (a->level != AreaLevel::street) continue;
    if (const Department* hub = dept_at(d_.fallback_type, a->code)) {
      r.lead = hub->id;
      r.rule = "fallback:" + d_.fallback_type;
      r.matched_area = a->code;
      r.matched_level = a->level;
      r.reason = std::string(cat ? "无对应职能部门" : "未知分类“" + in.category + "”") + "，由 " +
                 a->name + " 的 " + hub->name + " 兜底";
      with_cue(r);
      return r;
    }
  }
  r.lead = d_.arbitration_dept;
  r.rule = "fallback:arbitration";
  r.matched_area = tree_.district() ? tree_.district()->code : std::string();
  r.matched_level = tree_.district() ? tree_.district()->level : AreaLevel::district;
  const Department* arb = dept(d_.arbitration_dept);
  r.reason = "未能定位到街道，由 " + (arb ? arb->name : d_.arbitration_dept) + " 研判派单";
  with_cue(r);
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
