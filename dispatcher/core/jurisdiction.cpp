#include "dispatcher/core/jurisdiction.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace huying::core {

bool point_in_polygon(double x, double y, const std::vector<std::pair<double, double>>& ring) {
  bool inside = false;
  const std::size_t n = ring.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    auto [xi, yi] = ring[i];
    auto [xj, yj] = ring[j];
    if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

AreaTree::AreaTree(const Deployment& d) : d_(d) {
  for (std::size_t i = 0; i < d.areas.size(); ++i) {
    by_code_.emplace(d.areas[i].code, i);
    if (d.areas[i].parent.empty() && !district_) district_ = &d.areas[i];
  }
  auto add = [&](std::string text, std::string area, std::string kind) {
    matcher_.add(text, static_cast<std::uint32_t>(names_.size()));
    names_.push_back({std::move(text), std::move(area), std::move(kind)});
  };
  for (const auto& p : d.places) add(p.name, p.community, p.kind);
  for (const auto& r : d.roads) {
    auto [it, fresh] = roads_.try_emplace(r.road);
    if (fresh) add(r.road, "", "road");
    it->second.push_back(&r);
  }
  for (const auto& a : d.areas) {
    if (a.level == AreaLevel::district || a.level == AreaLevel::city) {
      // The district's (and city's) own names introduce an address; they place nothing.
      locality_.push_back(a.name);
      for (const auto& al : a.aliases) locality_.push_back(al);
      continue;
    }
    add(a.name, a.code, "name");
    for (const auto& al : a.aliases) add(al, a.code, "alias");
  }
  for (const auto& l : d.locality) locality_.push_back(l);
  matcher_.build();
}

const Area* AreaTree::find(std::string_view code) const {
  auto it = by_code_.find(std::string(code));
  return it == by_code_.end() ? nullptr : &d_.areas[it->second];
}

std::vector<const Area*> AreaTree::ancestors(std::string_view code) const {
  std::vector<const Area*> out;
  for (const Area* a = find(code); a && out.size() < 8;
       a = a->parent.empty() ? nullptr : find(a->parent))
    out.push_back(a);
  return out;
}

bool AreaTree::within(std::string_view code, std::string_view root) const {
  for (const Area* a : ancestors(code))
    if (a->code == root) return true;
  return false;
}

const Area* AreaTree::street_of(std::string_view code) const {
  for (const Area* a : ancestors(code))
    if (a->level == AreaLevel::street) return a;
  return nullptr;
}

namespace {

// --- UTF-8 helpers (addresses are UTF-8; validity is checked at intake) ---

// The code point starting at s[i] and its length; {0xFFFD, 1} on bad bytes.
std::pair<char32_t, std::size_t> decode(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return {0xFFFD, 1};
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(i + k) >> 6) != 2) return {0xFFFD, 1};
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  return {cp, len};
}

// The code point ending just before s[i], or 0 at the start.
char32_t before(std::string_view s, std::size_t i) {
  if (i == 0) return 0;
  std::size_t k = i - 1;
  while (k > 0 && (static_cast<unsigned char>(s[k]) >> 6) == 2) --k;
  return decode(s, k).first;
}

bool is_han(char32_t c) { return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF); }

template <class Words>
bool starts_with_any(std::string_view s, const Words& words) {
  for (auto w : words)
    if (s.substr(0, w.size()) == w) return true;
  return false;
}

// Words that may follow a place name without making it part of a longer
// name: level suffixes, locatives, particles ("华夏这边", "华夏村委", "华夏的").
constexpr std::string_view kAfterPlace[] = {
    "社区", "村",   "小区", "街道", "镇",   "片区", "一带", "附近", "这边", "那边",  "这里", "那里",
    "旁",   "周边", "门口", "对面", "路口", "境内", "辖区", "的",   "里",   "内",    "处",   "段",
    "方向", "地区", "区域", "居委", "村委", "东",   "西",   "南",   "北",   "中心区"};
// Characters that may stand before a place name ("住在华夏", "到华夏").
constexpr std::u32string_view kBeforePlace = U"在于到去住近往从是个的区镇道市省县村和与及或至";

// Business words: an alias followed by one of these, after at most a few
// characters, names a shop, bank, hotel or company ("太平洋百货", "吉利汽车4S店").
constexpr std::string_view kBusiness[] = {
    "银行", "百货", "商场",   "商城", "超市", "酒店", "宾馆",   "饭店", "酒家",
    "餐厅", "汽车", "大厦",   "广场", "公司", "集团", "店",     "药房", "医院",
    "诊所", "学校", "幼儿园", "影城", "网吧", "市场", "加油站", "物流", "快递",
    "工厂", "厂",   "中心",   "会所", "公寓", "花园", "大道"};

// Why an alias (or a short name) is weak evidence here, or "" when it stands
// on its own.
std::string weakness(std::string_view addr, std::size_t b, std::size_t e) {
  char32_t prev = before(addr, b);
  std::string_view rest = addr.substr(e);
  auto [next, next_len] = rest.empty() ? std::pair<char32_t, std::size_t>{0, 0} : decode(rest, 0);
  // The longer word: up to the next non-Han character, at most 6 more characters.
  auto word_end = [&] {
    std::size_t k = e, chars = 0;
    while (k < addr.size() && chars < 6) {
      auto [c, l] = decode(addr, k);
      if (!is_han(c)) break;
      k += l;
      ++chars;
    }
    return std::string(addr.substr(b, k - b));
  };
  if (is_han(prev) && kBeforePlace.find(prev) == std::u32string_view::npos) {
    // "新华夏广场": the alias is the tail or middle of another word.
    std::size_t start = b;
    while (start > 0 && is_han(before(addr, start))) start -= 3;  // Han characters are 3 bytes
    return "inside a longer name: " + std::string(addr.substr(start, e - start)) +
           std::string(is_han(next) ? "…" : "");
  }
  if (!is_han(next)) return {};
  if (starts_with_any(rest, kAfterPlace)) {
    // "华夏东门" is a place; "华夏南路" may be a road anywhere: only level
    // suffixes and locatives keep it standing alone.
    return {};
  }
  // Followed by more Han characters: a longer name, a shop if a business word follows soon.
  std::string word = word_end();
  for (std::size_t k = e, chars = 0; k < addr.size() && chars < 6; ++chars) {
    if (starts_with_any(addr.substr(k), kBusiness)) return "inside a business name: " + word;
    auto [c, l] = decode(addr, k);
    if (!is_han(c)) break;
    k += l;
  }
  return "inside a longer name: " + word;
}

// Administrative suffixes of an address prefix, longest first.
constexpr std::string_view kAdminSuffix[] = {"自治区", "自治州", "自治县", "省", "市",
                                             "州",     "盟",     "区",     "县", "旗"};
// Endings that look like an administrative unit but are places inside one.
constexpr std::string_view kNotAdmin[] = {"小区", "社区",   "园区",   "景区",   "城区",   "校区",
                                          "片区", "街区",   "辖区",   "厂区",   "营区",   "矿区",
                                          "商区", "住宅区", "生活区", "宿舍区", "工业区", "超市",
                                          "夜市", "菜市",   "集市",   "门市",   "花市",   "鱼市"};

bool ends_with(std::string_view s, std::string_view t) {
  return s.size() >= t.size() && s.substr(s.size() - t.size()) == t;
}

struct AdminToken {
  std::string text;
  std::string suffix;
};

// The administrative unit the text starts with ("广州市", "天河区"), if any:
// 2 to 8 Han characters ending in a suffix, the shortest such.
std::optional<AdminToken> admin_token(std::string_view s) {
  std::size_t k = 0;
  for (int chars = 0; k < s.size() && chars < 9; ++chars) {
    auto [c, l] = decode(s, k);
    if (!is_han(c)) return std::nullopt;
    k += l;
    if (chars < 1) continue;  // at least two characters
    std::string_view token = s.substr(0, k);
    for (auto suf : kAdminSuffix) {
      if (!ends_with(token, suf)) continue;
      for (auto no : kNotAdmin)
        if (ends_with(token, no)) return std::nullopt;
      return AdminToken{std::string(token), std::string(suf)};
    }
  }
  return std::nullopt;
}

struct OutsideCheck {
  bool definite = false;  // another province, or a city and its district, or a district after ours
  std::string foreign;    // the first foreign unit seen
  std::size_t consumed = 0;  // bytes of our own locality names at the start
};

// Reads the administrative prefix of an address. Our own names (the
// district's name and aliases, the configured locality, our streets) are
// skipped; a foreign unit makes the address outside when it cannot be a
// shop or a place: a province, two units in a row ("广州市天河区"), or a
// district after our own city ("佛山市顺德区").
OutsideCheck check_outside(std::string_view addr, const std::vector<std::string>& ours,
                           const std::function<bool(std::string_view)>& is_our_area) {
  OutsideCheck out;
  std::size_t pos = 0;
  while (pos < addr.size() && (addr[pos] == ' ' || addr[pos] == '\t')) ++pos;
  bool local_seen = false;
  int foreign = 0;
  for (int guard = 0; guard < 6 && pos < addr.size(); ++guard) {
    std::string_view rest = addr.substr(pos);
    // Our own names first (they may lack a suffix, e.g. an alias).
    std::size_t own = 0;
    for (const auto& n : ours)
      if (!n.empty() && rest.substr(0, n.size()) == n && n.size() > own) own = n.size();
    if (own) {
      pos += own;
      out.consumed = pos;
      local_seen = true;
      continue;
    }
    auto tok = admin_token(rest);
    if (!tok) break;
    if (is_our_area(tok->text)) break;  // a street of ours: the address proper begins
    ++foreign;
    if (out.foreign.empty()) out.foreign = tok->text;
    if (tok->suffix == "省" || tok->suffix == "自治区" || local_seen || foreign >= 2) {
      out.definite = true;
      if (foreign >= 2) out.foreign += addr.substr(pos, tok->text.size());
      return out;
    }
    pos += tok->text.size();
  }
  // A lone "X市" is never enough (超市, 夜市 ...); a lone "X区/X县" is a hint only.
  if (foreign == 1 && ends_with(out.foreign, "市")) out.foreign.clear();
  return out;
}

int weight(const PlaceEvidence& e) {
  if (!e.strong) return 1;
  if (e.kind == "estate" || e.kind == "landmark" || e.kind == "road" || e.kind == "code" ||
      e.kind == "polygon")
    return 10;
  if (e.kind == "name") return 8;
  return 6;  // alias
}

// Reads the house number right after `pos` ("88号", " 88 号", "88-2号").
std::optional<int> house_number(std::string_view s, std::size_t pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
  std::size_t start = pos;
  long n = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - start < 6)
    n = n * 10 + (s[pos++] - '0');
  if (pos == start) return std::nullopt;
  return static_cast<int>(n);
}

}  // namespace

Placement AreaTree::at_area(const Area& a, std::string kind, std::string text) const {
  Placement p;
  p.area = a.code;
  p.level = a.level;
  p.matched_by = kind;
  p.detail = text.empty() ? a.name : text;
  p.evidence.push_back({p.detail, kind, a.code, true, {}});
  p.candidates.push_back({a.code, a.name, a.level, 10});
  p.confidence = a.level == AreaLevel::community ? Confidence::confident
                 : a.level == AreaLevel::street  ? Confidence::weak
                                                 : Confidence::unknown;
  p.needs_review = p.confidence != Confidence::confident;
  return p;
}

Placement AreaTree::by_address(std::string_view addr) const {
  Placement p;
  auto is_our_area = [this](std::string_view t) {
    return std::any_of(names_.begin(), names_.end(),
                       [&](const Name& n) { return n.kind != "road" && n.text == t; });
  };
  OutsideCheck outside = check_outside(addr, locality_, is_our_area);
  auto place_outside = [&] {
    Placement o;
    o.area = district_ ? district_->code : std::string();
    o.level = district_ ? district_->level : AreaLevel::district;
    o.confidence = Confidence::outside;
    o.matched_by = "outside";
    o.detail = "地址在本辖区之外：" + outside.foreign;
    o.evidence.push_back(
        {outside.foreign, "outside", "", true, "another province, city or district"});
    return o;
  };
  if (outside.definite) return place_outside();

  // Every name at once; a hit inside a longer hit (文华 in 文华华庭) is dropped.
  auto hits = matcher_.find_all(addr);
  std::vector<PhraseMatcher::Hit> kept;
  for (const auto& h : hits) {
    if (h.end <= outside.consumed) continue;  // part of our own locality prefix
    bool inside = std::any_of(hits.begin(), hits.end(), [&](const PhraseMatcher::Hit& o) {
      return o.begin <= h.begin && h.end <= o.end && (o.end - o.begin) > (h.end - h.begin);
    });
    if (!inside) kept.push_back(h);
  }

  for (const auto& h : kept) {
    const Name& n = names_[h.id];
    std::string text(addr.substr(h.begin, h.end - h.begin));
    if (n.kind == "road") {
      const auto& segs = roads_.at(n.text);
      auto num = house_number(addr, h.end);
      bool placed = false;
      if (num) {
        for (const RoadSegment* s : segs) {
          if (*num < s->from || *num > s->to) continue;
          if (s->parity == Parity::odd && *num % 2 == 0) continue;
          if (s->parity == Parity::even && *num % 2 != 0) continue;
          p.evidence.push_back(
              {text + " " + std::to_string(*num) + "号", "road", s->community, true, {}});
          placed = true;
          break;
        }
      }
      if (placed) continue;
      // The road without a usable number: evidence for its street(s).
      std::set<std::string> streets;
      for (const RoadSegment* s : segs)
        if (const Area* st = street_of(s->community)) streets.insert(st->code);
      std::string note = num ? "no segment has number " + std::to_string(*num) : "no house number";
      for (const auto& st : streets)
        p.evidence.push_back({text, "road", st, streets.size() == 1, note});
      continue;
    }
    PlaceEvidence ev{text, n.kind, n.area, true, {}};
    const std::size_t chars = (h.end - h.begin) / 3;
    // Aliases and short names may be part of a shop's or another place's name.
    if (n.kind == "alias" || chars <= 2) {
      ev.note = weakness(addr, h.begin, h.end);
      ev.strong = ev.note.empty();
    }
    p.evidence.push_back(std::move(ev));
  }

  // Candidates: every area named by evidence, scored.
  std::map<std::string, int> score;
  for (const auto& e : p.evidence) score[e.area] += weight(e);
  for (const auto& [code, sc] : score) {
    const Area* a = find(code);
    if (a) p.candidates.push_back({a->code, a->name, a->level, sc});
  }
  std::stable_sort(p.candidates.begin(), p.candidates.end(),
                   [](const PlaceCandidate& x, const PlaceCandidate& y) {
                     if (x.score != y.score) return x.score > y.score;
                     return x.level == AreaLevel::community && y.level != AreaLevel::community;
                   });

  std::set<std::string> communities, streets, weak_streets;
  for (const auto& e : p.evidence) {
    const Area* a = find(e.area);
    if (!a) continue;
    const Area* st = street_of(a->code);
    if (!e.strong) {
      if (st) weak_streets.insert(st->code);
      continue;
    }
    if (a->level == AreaLevel::community)
      communities.insert(a->code);
    else if (a->level == AreaLevel::street)
      streets.insert(a->code);
  }
  std::set<std::string> community_streets;
  for (const auto& c : communities)
    if (const Area* st = street_of(c)) community_streets.insert(st->code);
  std::set<std::string> all_streets = community_streets;
  all_streets.insert(streets.begin(), streets.end());

  auto best_kind = [&](const std::string& area) {
    const PlaceEvidence* best = nullptr;
    for (const auto& e : p.evidence)
      if (e.area == area && e.strong && (!best || weight(e) > weight(*best))) best = &e;
    return best;
  };
  auto set_area = [&](const Area* a) {
    const Area* at = a ? a : district_;
    p.area = at ? at->code : std::string();
    p.level = at ? at->level : AreaLevel::district;
  };
  std::string details;
  for (const auto& e : p.evidence) details += (details.empty() ? "" : "、") + e.text;

  if (communities.size() == 1 && all_streets.size() == 1) {
    const Area* c = find(*communities.begin());
    const PlaceEvidence* e = best_kind(c->code);
    set_area(c);
    p.confidence = Confidence::confident;
    p.matched_by = e->kind;
    p.detail = e->text;
  } else if (all_streets.size() == 1) {
    // A street, but no single community in it.
    set_area(find(*all_streets.begin()));
    p.confidence = Confidence::weak;
    const PlaceEvidence* e = best_kind(p.area);
    if (!e && !communities.empty()) e = best_kind(*communities.begin());
    p.matched_by = e ? e->kind : "name";
    p.detail = details;
  } else if (all_streets.size() > 1) {
    set_area(nullptr);
    p.confidence = Confidence::ambiguous;
    p.matched_by = p.evidence.front().kind;
    p.detail = "候选地点分属不同街道：" + details;
  } else if (!outside.foreign.empty()) {
    // No strong local evidence, and the address opens with a foreign district.
    return place_outside();
  } else if (!weak_streets.empty()) {
    // Only weak evidence (an alias inside a shop's name): not even the street is known.
    set_area(nullptr);
    p.confidence = weak_streets.size() == 1 ? Confidence::weak : Confidence::ambiguous;
    p.matched_by = p.evidence.front().kind;
    p.detail = details;
  } else {
    set_area(nullptr);
    p.confidence = Confidence::unknown;
    p.matched_by = "none";
    p.detail = "no area code, point or address matched";
  }
  p.needs_review = p.confidence != Confidence::confident;
  return p;
}

Placement AreaTree::place(std::string_view area_code, std::string_view address,
                          std::optional<double> lat, std::optional<double> lng) const {
  // A known code or polygon at community level decides; at street level it
  // is a hint that the address may refine.
  const Area* hint = nullptr;
  std::string hint_kind;
  if (!area_code.empty()) {
    if (const Area* a = find(area_code)) {
      if (a->level == AreaLevel::community) return at_area(*a, "code", a->name);
      hint = a;
      hint_kind = "code";
    }
  }
  if (!hint && lat && lng) {
    // Communities first, then streets: the most specific polygon wins.
    for (AreaLevel lvl : {AreaLevel::community, AreaLevel::street}) {
      for (const auto& a : d_.areas) {
        if (a.level != lvl || a.polygon.size() < 3 || !point_in_polygon(*lng, *lat, a.polygon))
          continue;
        if (lvl == AreaLevel::community) return at_area(a, "polygon", a.name);
        if (!hint) hint = &a, hint_kind = "polygon";
      }
    }
  }
  if (hint && hint->level != AreaLevel::street) hint = nullptr;  // the whole district says nothing
  Placement p = address.empty() ? Placement{} : by_address(address);
  if (address.empty()) {
    p.area = district_ ? district_->code : std::string();
    p.level = district_ ? district_->level : AreaLevel::district;
    p.matched_by = "none";
    p.detail = "no area code, point or address matched";
  }
  if (!hint) return p;
  if (p.confidence == Confidence::confident && within(p.area, hint->code)) return p;
  // The address does not settle it inside the hinted street: the street, to be checked.
  Placement h = at_area(*hint, hint_kind, hint->name);
  for (auto& e : p.evidence) h.evidence.push_back(std::move(e));
  for (auto& c : p.candidates)
    if (c.area != hint->code) h.candidates.push_back(std::move(c));
  return h;
}

}  // namespace huying::core
