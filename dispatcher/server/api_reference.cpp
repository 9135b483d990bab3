// Reference data from the deployment's config: areas, departments,
// categories and the code lists (kinds, modes, ...) the pages need.
#include <boost/json.hpp>
#include <map>

#include "dispatcher/server/api.hpp"

namespace huying::server {

namespace json = boost::json;

namespace {

const char* level_name(core::AreaLevel l) {
  switch (l) {
    case core::AreaLevel::district:
      return "district";
    case core::AreaLevel::street:
      return "street";
    case core::AreaLevel::community:
      return "community";
    case core::AreaLevel::city:
      return "city";
  }
  return "community";
}

template <class E>
json::array names_json() {
  json::array out;
  for (auto n : core::EnumNames<E>::names) out.push_back(json::string(n));
  return out;
}

}  // namespace

void Api::add_reference_routes() {
  auto with_rules = [this](auto fn) {
    return [this, fn](Call c) {
      auto rules = this->rules();
      if (!rules)
        return c.respond(error_response(503, "no_config", "the server runs without a config"));
      c.respond(json_response(200, fn(*rules->deployment)));
    };
  };

  router_.add("GET", "/api/v1/areas", kAnyRole, with_rules([](const core::Deployment& d) {
                json::array items;
                for (const auto& a : d.areas) {
                  json::array aliases;
                  for (const auto& al : a.aliases) aliases.push_back(json::string(al));
                  items.push_back(json::object{{"code", a.code},
                                               {"name", a.name},
                                               {"level", level_name(a.level)},
                                               {"parent", a.parent},
                                               {"aliases", std::move(aliases)}});
                }
                return json::object{{"items", std::move(items)}};
              }));

  // The district's map for the board: the config's polygons as a GeoJSON
  // FeatureCollection, each feature naming its area and the street it lies
  // in (a street's own polygon is its own street), so the board can colour
  // the map by street even where the config draws communities.
  router_.add(
      "GET", "/api/v1/map", kAnyRole, with_rules([](const core::Deployment& d) {
        std::map<std::string, const core::Area*> by_code;
        for (const auto& a : d.areas) by_code[a.code] = &a;
        json::array features;
        for (const auto& a : d.areas) {
          if (a.polygon.size() < 3) continue;
          std::string street;
          for (const core::Area* x = &a; x;) {
            if (x->level == core::AreaLevel::street) {
              street = x->code;
              break;
            }
            auto it = by_code.find(x->parent);
            x = it == by_code.end() ? nullptr : it->second;
          }
          json::array ring;
          for (const auto& [lng, lat] : a.polygon) ring.push_back(json::array{lng, lat});
          if (a.polygon.front() != a.polygon.back())
            ring.push_back(json::array{a.polygon.front().first, a.polygon.front().second});
          features.push_back(json::object{
              {"type", "Feature"},
              {"properties", json::object{{"code", a.code},
                                          {"name", a.name},
                                          {"level", level_name(a.level)},
                                          {"street", street}}},
              {"geometry",
               json::object{{"type", "Polygon"}, {"coordinates", json::array{std::move(ring)}}}}});
        }
        return json::object{{"type", "FeatureCollection"}, {"features", std::move(features)}};
      }));

  router_.add("GET", "/api/v1/departments", kAnyRole, with_rules([](const core::Deployment& d) {
                json::array items;
                for (const auto& dep : d.departments)
                  items.push_back(json::object{
                      {"id", dep.id}, {"name", dep.name}, {"type", dep.type}, {"area", dep.area}});
                return json::object{{"items", std::move(items)}};
              }));

  router_.add("GET", "/api/v1/categories", kAnyRole, with_rules([](const core::Deployment& d) {
                json::array items;
                for (const auto& cat : d.categories) {
                  json::array assist;
                  for (const auto& t : cat.assist_types) assist.push_back(json::string(t));
                  items.push_back(json::object{{"path", cat.path},
                                               {"type", cat.type},
                                               {"assist_types", std::move(assist)},
                                               {"leaf", cat.leaf}});
                }
                return json::object{{"items", std::move(items)}};
              }));

  // The code lists, with the deployment's default handling mode by kind.
  router_.add("GET", "/api/v1/codes", kAnyRole, [this](Call c) {
    json::object out{{"kinds", names_json<core::Kind>()},
                     {"urgencies", names_json<core::Urgency>()},
                     {"modes", names_json<core::Mode>()},
                     {"statuses", names_json<core::Status>()},
                     {"channels", names_json<core::Channel>()},
                     {"roles", names_json<core::Role>()},
                     {"commands", names_json<core::CommandType>()},
                     {"satisfaction", names_json<core::Satisfaction>()},
                     {"return_reasons", names_json<core::ReturnReason>()}};
    json::object kind_modes;
    json::array platforms;
    if (auto rules = this->rules()) {
      for (const auto& [k, m] : rules->deployment->kind_modes)
        kind_modes[core::name(k)] = core::name(m);
      for (const auto& p : rules->deployment->platforms)
        platforms.push_back(json::object{{"code", p.code}, {"name", p.name}});
    }
    out["kind_modes"] = std::move(kind_modes);
    out["platforms"] = std::move(platforms);
    c.respond(json_response(200, out));
  });
}

}  // namespace huying::server
