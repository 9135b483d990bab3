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
#include "dispatcher/core/phrase_matcher.hpp"

namespace huying::core {

// How sure a placement is. Only `confident` may be dispatched without a
// person looking at it; everything else goes to the dispatch desk's review
// inbox with its candidates.
enum class Confidence {
  confident,  // one community, with strong evidence and nothing against it
  weak,       // a street but no community, or only weak evidence (an alias inside a longer name)
  ambiguous,  // strong evidence for places in different streets
  unknown,    // nothing matched
  outside     // the address is in another province, city or district
};

// One piece of evidence: what matched in the address (or the code/point).
struct PlaceEvidence {
  std::string text;  // e.g. "华夏" or "桂澜路 88号"
  std::string kind;  // code | polygon | estate | landmark | road | name | alias | outside
  std::string area;  // the area it points to ("" for outside)
  bool strong = true;
  std::string note;  // why it is weak, e.g. "inside a longer name: 华夏银行"
};

// A place the order may be in, best first.
struct PlaceCandidate {
  std::string area;
  std::string name;
  AreaLevel level = AreaLevel::community;
  int score = 0;  // summed evidence weights
};

struct Placement {
  std::string
      area;  // confident: the community; weak: its street (or the district); else the district
  AreaLevel level = AreaLevel::district;
  Confidence confidence = Confidence::unknown;
  std::string matched_by;    // kind of the deciding evidence; none | outside when there is none
  std::string detail;        // what matched, for people
  bool needs_review = true;  // confidence != confident: the dispatch desk must check
  std::vector<PlaceEvidence> evidence;
  std::vector<PlaceCandidate> candidates;
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

  // Places an order by, in this order: a community code; a point inside a
  // community polygon; the address (every gazetteer name at once, longest
  // first). A street code or polygon narrows the address's candidates.
  Placement place(std::string_view area_code, std::string_view address, std::optional<double> lat,
                  std::optional<double> lng) const;

  // The street an area lies in (itself for a street), or nullptr.
  const Area* street_of(std::string_view code) const;

 private:
  Placement by_address(std::string_view address) const;
  Placement at_area(const Area& a, std::string kind, std::string text) const;

  const Deployment& d_;
  std::unordered_map<std::string, std::size_t> by_code_;
  const Area* district_ = nullptr;
  // Every name to look for in an address: estates, landmarks, roads, area
  // names and aliases, indexed by the matcher's ids.
  struct Name {
    std::string text;
    std::string area;  // estate/landmark/name/alias: the area; road: ""
    std::string kind;  // estate | landmark | road | name | alias
  };
  std::vector<Name> names_;
  PhraseMatcher matcher_;
  std::vector<std::string> locality_;  // our own province/city/district names
  std::unordered_map<std::string, std::vector<const RoadSegment*>> roads_;
};

template <>
struct EnumNames<Confidence> {
  static constexpr std::array names = {"confident"sv, "weak"sv, "ambiguous"sv, "unknown"sv,
                                       "outside"sv};
};

// Point in polygon (ray casting); ring is (lng, lat) pairs, open or closed.
bool point_in_polygon(double lng, double lat, const std::vector<std::pair<double, double>>& ring);

}  // namespace huying::core
