// For the operator console while a call is being logged: the route preview,
// the caller's history, possible duplicates and place-name autocomplete.
#include <boost/json.hpp>
#include <set>
#include <unordered_set>

#include "dispatcher/core/access.hpp"
#include "dispatcher/core/command_args.hpp"
#include "dispatcher/core/order.hpp"
#include "dispatcher/core/preview.hpp"
#include "dispatcher/server/api.hpp"

namespace huying::server {

namespace json = boost::json;
using core::Role;

namespace {

// The UTF-8 code points of s (invalid bytes become single units).
std::vector<std::uint32_t> code_points(std::string_view s) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    if (i + len > s.size()) len = 1;
    std::uint32_t cp = 0;
    for (std::size_t k = 0; k < len; ++k) cp = (cp << 8) | static_cast<unsigned char>(s[i + k]);
    // Spaces and ASCII punctuation say nothing about similarity.
    if (!(cp < 0x80 && !std::isalnum(static_cast<int>(cp)))) out.push_back(cp);
    i += len;
  }
  return out;
}

// Similarity of two texts: Jaccard over character bigrams (works for
// Chinese, which has no spaces between words). 0..1.
double similarity(std::string_view a, std::string_view b) {
  auto grams = [](std::string_view s) {
    std::unordered_set<std::uint64_t> g;
    auto cps = code_points(s);
    for (std::size_t i = 0; i + 1 < cps.size(); ++i)
      g.insert((static_cast<std::uint64_t>(cps[i]) << 32) | cps[i + 1]);
    return g;
  };
  auto ga = grams(a), gb = grams(b);
  if (ga.empty() || gb.empty()) return 0;
  std::size_t both = 0;
  for (auto x : ga) both += gb.count(x);
  return static_cast<double>(both) / static_cast<double>(ga.size() + gb.size() - both);
}

}  // namespace

void Api::add_console_routes() {
  const RoleSet hotline = roles({Role::operator_, Role::dispatcher, Role::admin});

  // Where a half-typed order would go: placement, department, reason, cue.
  router_.add("POST", "/api/v1/route-preview", hotline, [this](Call c) {
    auto body = api::body_object(c);
    if (!body) return;
    auto rules = this->rules();
    if (!rules)
      return c.respond(error_response(503, "no_config", "the server runs without a config"));
    json::object out = core::route_preview(*rules, *body);
    if (auto* e = out.if_contains("error")) {
      const auto& eo = e->as_object();
      return c.respond(error_response(400, "invalid_field", core::str_at(eo, "reason"),
                                      core::str_at(eo, "field")));
    }
    c.respond(json_response(200, out));
  });

  // The caller's earlier orders (any usual form of the number).
  router_.add("GET", "/api/v1/callers/{phone}/orders", hotline, [this](Call c) {
    const std::string& phone = c.param("phone");
    if (!core::valid_phone(phone))
      return c.respond(
          error_response(400, "invalid_field", "phone is not a phone number", "phone"));
    std::string bad;
    int limit = 20;
    if (auto l = api::int_param(*c.req, "limit", 1, 500, bad)) limit = static_cast<int>(*l);
    if (!bad.empty())
      return c.respond(error_response(400, "invalid_field", bad + " is out of range", bad));
    json::array items;
    for (const auto& o : s_.store.orders_by_phone(phone, limit))
      items.push_back(json::object{{"number", o.number},
                                   {"status", o.status},
                                   {"kind", o.kind},
                                   {"category", o.category},
                                   {"area", o.area},
                                   {"created_at", o.created_at}});
    c.respond(json_response(200, json::object{{"items", std::move(items)}}));
  });

  // Possible duplicates: the same community and category lately, most
  // similar description first.
  router_.add("GET", "/api/v1/duplicates", hotline, [this](Call c) {
    const auto& r = *c.req;
    const std::string* area = r.param("area");
    const std::string* category = r.param("category");
    if (!area || !core::valid_area_code(*area))
      return c.respond(
          error_response(400, "invalid_field", "area must be a 12-digit area code", "area"));
    if (!category || category->empty() || category->size() > core::kMaxShort)
      return c.respond(error_response(400, "invalid_field", "category is required", "category"));
    std::string bad;
    std::int64_t days = 7;
    if (auto d = api::int_param(r, "days", 1, 90, bad)) days = *d;
    if (!bad.empty())
      return c.respond(error_response(400, "invalid_field", "days must be 1 to 90", "days"));
    const std::string text = r.param("text") ? *r.param("text") : std::string();
    if (text.size() > core::kMaxText)
      return c.respond(error_response(400, "invalid_field", "text is too long", "text"));
    const core::Millis now = s_.clock.now();
    db::OrderFilter f;
    f.area_prefix = *area;
    f.category_prefix = *category;
    f.created_from = now - days * core::kDay;
    f.limit = 200;
    auto page = s_.store.list_orders(f);
    std::vector<std::pair<double, const core::WorkOrder*>> scored;
    for (const auto& o : page.items)
      scored.emplace_back(text.empty() ? 0.0 : similarity(text, o.description), &o);
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& x, const auto& y) { return x.first > y.first; });
    json::array items;
    for (const auto& [score, o] : scored) {
      json::object j = api::order_json(*o, c.actor(), now);
      j["similarity"] = score;
      items.push_back(std::move(j));
      if (items.size() >= 20) break;
    }
    c.respond(json_response(200, json::object{{"items", std::move(items)}}));
  });

  // Place names for autocomplete: streets, communities (and their aliases),
  // estates, landmarks and roads containing the typed text.
  router_.add("GET", "/api/v1/gazetteer", kAnyRole, [this](Call c) {
    const std::string* q = c.req->param("q");
    if (!q || q->empty() || q->size() > 100)
      return c.respond(error_response(400, "invalid_field", "q must be 1 to 100 bytes", "q"));
    auto rules = this->rules();
    if (!rules)
      return c.respond(error_response(503, "no_config", "the server runs without a config"));
    const auto& d = *rules->deployment;
    json::array items;
    auto area_name = [&](const std::string& code) {
      const core::Area* a = rules->router->areas().find(code);
      return a ? a->name : std::string();
    };
    auto add = [&](const std::string& name, const char* kind, const std::string& area) {
      if (items.size() >= 20) return;
      items.push_back(json::object{
          {"name", name}, {"kind", kind}, {"area", area}, {"area_name", area_name(area)}});
    };
    for (const auto& a : d.areas) {
      if (a.level != core::AreaLevel::street && a.level != core::AreaLevel::community) continue;
      const char* kind = a.level == core::AreaLevel::street ? "street" : "community";
      if (a.name.find(*q) != std::string::npos) {
        add(a.name, kind, a.code);
        continue;
      }
      for (const auto& al : a.aliases)
        if (al.find(*q) != std::string::npos) {
          add(al, kind, a.code);
          break;
        }
    }
    for (const auto& p : d.places)
      if (p.name.find(*q) != std::string::npos) add(p.name, p.kind.c_str(), p.community);
    std::set<std::string> roads;
    for (const auto& s : d.roads)
      if (s.road.find(*q) != std::string::npos && roads.insert(s.road).second)
        add(s.road, "road", s.community);
    c.respond(json_response(200, json::object{{"items", std::move(items)}}));
  });
}

}  // namespace huying::server
