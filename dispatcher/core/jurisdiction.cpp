#include "dispatcher/core/jurisdiction.hpp"

#include <algorithm>

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
  for (const auto& p : d.places) places_.push_back({p.name, p.community, "estate"});
  for (const auto& a : d.areas) {
    if (a.level == AreaLevel::district || a.level == AreaLevel::city) continue;
    area_names_.push_back({a.name, a.code, "name"});
    for (const auto& al : a.aliases) area_names_.push_back({al, a.code, "alias"});
  }
  // Longest first, so "文华花园二期" wins over "文华花园" and "文华社区" over "文华".
  auto longest = [](const Name& x, const Name& y) { return x.text.size() > y.text.size(); };
  std::stable_sort(places_.begin(), places_.end(), longest);
  std::stable_sort(area_names_.begin(), area_names_.end(), longest);
  for (const auto& r : d.roads) roads_[r.road].push_back(&r);
  for (const auto& [name, _] : roads_) road_names_.push_back(name);
  std::sort(road_names_.begin(), road_names_.end(), [](const std::string& x, const std::string& y) {
    return x.size() != y.size() ? x.size() > y.size() : x < y;
  });
}

const Area* AreaTree::find(std::string_view code) const {
  auto it = by_code_.find(std::string(code));
  return it == by_code_.end() ? nullptr : &d_.areas[it->second];
}

std::vector<const Area*> AreaTree::ancestors(std::string_view code) const {
  std::vector<const Area*> out;
  for (const Area* a = find(code); a && out.size() < 8; a = a->parent.empty() ? nullptr : find(a->parent))
    out.push_back(a);
  return out;
}

bool AreaTree::within(std::string_view code, std::string_view root) const {
  for (const Area* a : ancestors(code))
    if (a->code == root) return true;
  return false;
}

std::optional<Placement> AreaTree::by_polygon(double lat, double lng) const {
  // Communities first, then streets: the most specific polygon wins.
  for (AreaLevel lvl : {AreaLevel::community, AreaLevel::street}) {
    for (const auto& a : d_.areas) {
      if (a.level != lvl || a.polygon.size() < 3) continue;
      if (point_in_polygon(lng, lat, a.polygon)) {
        Placement p{a.code, a.level, "polygon", a.name, lvl != AreaLevel::community};
        return p;
      }
    }
  }
  return std::nullopt;
}

namespace {
// Reads the house number right after `pos` ("88号", " 88 号", "88-2号").
std::optional<int> house_number(std::string_view s, std::size_t pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
  std::size_t start = pos;
  long n = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - start < 6) n = n * 10 + (s[pos++] - '0');
  if (pos == start) return std::nullopt;
  return static_cast<int>(n);
}
}  // namespace

std::optional<Placement> AreaTree::by_road(std::string_view address) const {
  for (const auto& road : road_names_) {
    auto at = address.find(road);
    if (at == std::string_view::npos) continue;
    const auto& segs = roads_.at(road);
    auto num = house_number(address, at + road.size());
    if (num) {
      for (const RoadSegment* s : segs) {
        if (*num < s->from || *num > s->to) continue;
        if (s->parity == Parity::odd && *num % 2 == 0) continue;
        if (s->parity == Parity::even && *num % 2 != 0) continue;
        return Placement{s->community, AreaLevel::community, "road",
                         road + " " + std::to_string(*num) + "号", false};
      }
    }
    // The road is known but not the number: place at its street when the
    // whole road lies in one street, and let the dispatcher check.
    const Area* c = find(segs.front()->community);
    std::string street = c ? c->parent : std::string();
    bool one_street = !street.empty() && std::all_of(segs.begin(), segs.end(), [&](const RoadSegment* s) {
      const Area* a = find(s->community);
      return a && a->parent == street;
    });
    if (one_street)
      return Placement{street, AreaLevel::street, "road",
                       road + (num ? " " + std::to_string(*num) + "号 (no matching number range)" : " (no number)"),
                       true};
  }
  return std::nullopt;
}

Placement AreaTree::place(std::string_view area_code, std::string_view address,
                          std::optional<double> lat, std::optional<double> lng) const {
  if (!area_code.empty()) {
    if (const Area* a = find(area_code))
      return {a->code, a->level, "code", a->name, a->level != AreaLevel::community};
  }
  if (lat && lng) {
    if (auto p = by_polygon(*lat, *lng)) return *p;
  }
  if (!address.empty()) {
    // Most specific first: a named estate or landmark, then a road with its
    // house number, then community and street names and aliases (short
    // aliases also occur inside road names, so they come last).
    for (const auto& n : places_) {
      if (address.find(n.text) == std::string_view::npos) continue;
      if (const Area* a = find(n.area)) return {a->code, a->level, n.kind, n.text, false};
    }
    auto road = by_road(address);
    if (road && !road->needs_review) return *road;
    std::optional<Placement> street_hit;
    for (const auto& n : area_names_) {
      if (address.find(n.text) == std::string_view::npos) continue;
      const Area* a = find(n.area);
      if (!a) continue;
      // A community name wins, unless a road placed the order in another street.
      if (a->level == AreaLevel::community && (!road || a->parent == road->area))
        return {a->code, a->level, n.kind, n.text, false};
      if (a->level == AreaLevel::street && !street_hit)
        street_hit = Placement{a->code, a->level, n.kind, n.text, true};
    }
    if (road) return *road;
    if (street_hit) return *street_hit;
  }
  Placement none;
  none.area = district_ ? district_->code : std::string();
  none.level = district_ ? district_->level : AreaLevel::district;
  none.matched_by = "none";
  none.detail = "no area code, point or address matched";
  none.needs_review = true;
  return none;
}

}  // namespace huying::core
