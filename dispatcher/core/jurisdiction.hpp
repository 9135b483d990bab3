// 属地: the area tree (区 → 街道/镇 → 社区/村) and placing an order in it from an
// area code, a point (polygons) or an address (gazetteer: estates, landmarks,
// roads with house numbers, area names and aliases).
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dispatcher/core/config.hpp"

namespace huying::core {

struct Placement {
  std::string area;  // the most specific area found (the district when nothing matched)
  AreaLevel level = AreaLevel::district;
  std::string matched_by;  // code | polygon | estate | road | name | alias | none
  std::string detail;      // what matched, e.g. "桂澜路 88号"
  bool needs_review = false;  // not placed at community level: the dispatcher must check
};

class AreaTree {
 public:
  // REQUIRES: a validated deployment (codes unique, parents exist, no cycle).
  explicit AreaTree(const Deployment& d);

  const Area* find(std::string_view code) const;
  // The chain from `code` up to the district, starting with `code` itself.
  std::vector<const Area*> ancestors(std::string_view code) const;
  // True when `code` is `root` or lies below it.
  bool within(std::string_view code, std::string_view root) const;
  // The root: the district, or the city of a city-wide deployment.
  const Area* district() const { return district_; }

  Placement place(std::string_view area_code, std::string_view address,
                  std::optional<double> lat, std::optional<double> lng) const;

 private:
  std::optional<Placement> by_polygon(double lat, double lng) const;
  std::optional<Placement> by_road(std::string_view address) const;

  const Deployment& d_;
  std::unordered_map<std::string, std::size_t> by_code_;
  const Area* district_ = nullptr;
  // Names to look for in an address, longest first: (name, area code, kind).
  struct Name {
    std::string text;
    std::string area;
    std::string kind;  // estate | landmark | alias
  };
  std::vector<Name> places_;      // estates and landmarks
  std::vector<Name> area_names_;  // community/street names, then their aliases
  std::unordered_map<std::string, std::vector<const RoadSegment*>> roads_;
  std::vector<std::string> road_names_;  // longest first
};

// Point in polygon (ray casting); ring is (lng, lat) pairs, open or closed.
bool point_in_polygon(double lng, double lat, const std::vector<std::pair<double, double>>& ring);

}  // namespace huying::core
