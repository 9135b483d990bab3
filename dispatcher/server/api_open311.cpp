// Open311 GeoReport v2 at /open311/v2 for third-party citizen apps:
// discovery, services (the category tree's leaves), service definitions,
// requests (POST with an api_key from the config; GET with the spec's
// filters) and one request, each as .json or .xml. Timestamps are ISO 8601
// with +08:00. Only results marked public (公开办) show their text, place
// and result; nothing personal ever leaves through it. Errors use the
// spec's own shape: [{"code", "description"}] / <errors><error>.
#include <boost/json.hpp>
#include <cstdio>

#include "dispatcher/core/order.hpp"
#include "dispatcher/server/api.hpp"

namespace huying::server {

namespace json = boost::json;

namespace {

// A stable service code for a category path (paths hold '/', which a URL
// segment cannot): "c" + FNV-1a 32 of the path, in hex.
std::string service_code(const std::string& path) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : path) {
    h ^= c;
    h *= 16777619u;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "c%08x", h);
  return buf;
}

// The leaf category a service code stands for ("" when none).
std::string category_of(const core::RuleSet* rules, const std::string& code) {
  if (rules)
    for (const auto& cat : rules->deployment->categories)
      if (cat.leaf && service_code(cat.path) == code) return cat.path;
  return {};
}

std::string iso8601(core::Millis ms) {
  if (ms <= 0) return {};
  const core::Millis local = ms + core::kShanghaiOffset;
  std::int64_t days = local / core::kDay;
  core::Millis rem = local % core::kDay;
  if (rem < 0) {
    rem += core::kDay;
    --days;
  }
  auto d = core::civil_from_days(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d+08:00", d.year, d.month, d.day,
                static_cast<int>(rem / core::kHour),
                static_cast<int>(rem % core::kHour / core::kMinute),
                static_cast<int>(rem % core::kMinute / core::kSecond));
  return buf;
}

// "2025-10-01", "2025-10-01T08:00:00Z" or with an offset (+08:00); nullopt
// when malformed.
std::optional<core::Millis> parse_iso(const std::string& s) {
  int y = 0, hh = 0, mm = 0, ss = 0;
  unsigned mo = 0, d = 0;
  if (s.size() < 10 || std::sscanf(s.c_str(), "%4d-%2u-%2u", &y, &mo, &d) != 3 || y < 2000 ||
      y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31)
    return std::nullopt;
  core::Millis offset = core::kShanghaiOffset;  // a bare date or time is local
  if (s.size() > 10) {
    if (s.size() < 19 || (s[10] != 'T' && s[10] != ' ') ||
        std::sscanf(s.c_str() + 11, "%2d:%2d:%2d", &hh, &mm, &ss) != 3 || hh > 23 || mm > 59 ||
        ss > 60)
      return std::nullopt;
    std::string zone = s.substr(19);
    if (!zone.empty() && zone[0] == '.') {  // fractions of a second: ignored
      std::size_t k = 1;
      while (k < zone.size() && std::isdigit(static_cast<unsigned char>(zone[k]))) ++k;
      zone = zone.substr(k);
    }
    if (zone == "Z") {
      offset = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
      int oh = 0, om = 0;
      if (std::sscanf(zone.c_str() + 1, "%2d:%2d", &oh, &om) != 2 || oh > 14 || om > 59)
        return std::nullopt;
      offset = (zone[0] == '+' ? 1 : -1) * (oh * core::kHour + om * core::kMinute);
    } else if (!zone.empty()) {
      return std::nullopt;
    }
  }
  return core::days_from_civil({y, mo, d}) * core::kDay + hh * core::kHour + mm * core::kMinute +
         ss * core::kSecond - offset;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A JSON array of flat objects as the spec's XML: <root><item><k>v</k>...</item></root>.
std::string to_xml(const json::array& items, const char* root, const char* item) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<";
  out += root;
  out += ">";
  for (const auto& v : items) {
    out += "<";
    out += item;
    out += ">";
    for (const auto& kv : v.as_object()) {
      const std::string k(kv.key());
      out += "<" + k + ">";
      const auto& val = kv.value();
      if (val.is_string())
        out += xml_escape(val.get_string());
      else if (val.is_array())
        for (const auto& e : val.get_array())
          out += "<" + k.substr(0, k.size() - 1) + ">" +
                 xml_escape(e.is_string() ? std::string(e.get_string()) : json::serialize(e)) +
                 "</" + k.substr(0, k.size() - 1) + ">";
      else if (!val.is_null())
        out += xml_escape(json::serialize(val));
      out += "</" + k + ">";
    }
    out += "</";
    out += item;
    out += ">";
  }
  out += "</";
  out += root;
  out += ">\n";
  return out;
}

// The last path segment's format: "requests.json" -> ("requests", "json").
std::pair<std::string, std::string> split_format(const std::string& seg) {
  auto dot = seg.rfind('.');
  if (dot == std::string::npos) return {seg, ""};
  return {seg.substr(0, dot), seg.substr(dot + 1)};
}

HttpResponse answer(const std::string& format, unsigned status, const json::array& items,
                    const char* root, const char* item) {
  HttpResponse r;
  r.status = status;
  if (format == "xml") {
    r.content_type = "text/xml; charset=utf-8";
    r.body = to_xml(items, root, item);
  } else {
    r.body = json::serialize(items);
  }
  r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  return r;
}

HttpResponse o311_error(const std::string& format, unsigned status, const std::string& why) {
  json::array e{json::object{{"code", status}, {"description", why}}};
  return answer(format, status, e, "errors", "error");
}

bool known_format(const std::string& f) { return f == "json" || f == "xml"; }

}  // namespace

void Api::add_open311_routes() {
  // Each resource answers at NAME.json and NAME.xml (the spec's format suffix).
  auto both = [this](const std::string& path, Handler h) {
    router_.add("GET", path + ".json", kPublic, h);
    router_.add("GET", path + ".xml", kPublic, h);
  };
  auto format_of = [](const Call& c) {
    auto seg = c.req->path.substr(c.req->path.rfind('/') + 1);
    return split_format(seg).second;
  };

  both("/open311/v2/discovery", [this, format_of](Call c) {
    auto rules = this->rules();
    const std::string changeset = rules ? rules->deployment->version : "";
    json::object d{{"changeset", changeset},
                   {"contact", rules ? rules->deployment->name : std::string("huying")},
                   {"key_service", "ask the hotline's administrators for an api_key"},
                   {"endpoints", json::array{json::object{
                                     {"specification", "http://wiki.open311.org/GeoReport_v2"},
                                     {"url", "/open311/v2"},
                                     {"changeset", changeset},
                                     {"type", "production"},
                                     {"formats", json::array{"application/json", "text/xml"}}}}}};
    if (format_of(c) == "xml") {
      HttpResponse r;
      r.content_type = "text/xml; charset=utf-8";
      r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<discovery><changeset>" +
               xml_escape(changeset) + "</changeset><contact>" +
               xml_escape(std::string(d.at("contact").as_string())) +
               "</contact><endpoints><endpoint><specification>http://wiki.open311.org/"
               "GeoReport_v2</specification><url>/open311/v2</url><type>production</type>"
               "<formats><format>application/json</format><format>text/xml</format></formats>"
               "</endpoint></endpoints></discovery>\n";
      return c.respond(std::move(r));
    }
    c.respond(json_response(200, d));
  });

  both("/open311/v2/services", [this, format_of](Call c) {
    auto rules = this->rules();
    json::array items;
    if (rules)
      for (const auto& cat : rules->deployment->categories) {
        if (!cat.leaf) continue;
        const auto slash = cat.path.find('/');
        items.push_back(json::object{
            {"service_code", service_code(cat.path)},
            {"service_name", cat.path.substr(cat.path.rfind('/') + 1)},
            {"description", cat.path},
            {"metadata", false},
            {"type", "realtime"},
            {"keywords", ""},
            {"group", slash == std::string::npos ? cat.path : cat.path.substr(0, slash)}});
      }
    c.respond(answer(format_of(c), 200, items, "services", "service"));
  });

  // A service definition: no extra attributes.
  router_.add("GET", "/open311/v2/services/{code}", kPublic, [this](Call c) {
    auto [code, format] = split_format(c.param("code"));
    if (!known_format(format))
      return c.respond(o311_error("json", 404, "ask for services/CODE.json or .xml"));
    if (!category_of(this->rules().get(), code).empty()) {
      if (format == "xml") {
        HttpResponse r;
        r.content_type = "text/xml; charset=utf-8";
        r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_definition><service_code>" +
                 code + "</service_code><attributes/></service_definition>\n";
        return c.respond(std::move(r));
      }
      return c.respond(
          json_response(200, json::object{{"service_code", code}, {"attributes", json::array{}}}));
    }
    c.respond(o311_error(format, 404, "no service " + code));
  });

  // What may be shown of an order: public (公开办) results in full, the rest
  // as status and times only.
  auto request_json = [](const core::WorkOrder& o, const core::RuleSet* rules) {
    const bool open = o.open();
    json::object j{{"service_request_id", o.number},
                   {"status", open ? "open" : "closed"},
                   {"service_name", o.category.substr(o.category.rfind('/') + 1)},
                   {"service_code", service_code(o.category)},
                   {"requested_datetime", iso8601(o.created_at)},
                   {"updated_datetime", iso8601(o.updated_at)},
                   {"expected_datetime", iso8601(o.reply_due)}};
    std::string agency;
    if (const std::string* lead = o.lead_dept(); lead && rules)
      if (const auto* d = rules->router->dept(*lead)) agency = d->name;
    j["agency_responsible"] = agency;
    j["service_notice"] = "";
    if (o.published) {
      j["status_notes"] = o.public_result.empty() ? o.result : o.public_result;
      j["description"] = o.title.empty() ? o.category : o.title;
      j["address"] = o.address;
      if (o.lat && o.lng) {
        j["lat"] = *o.lat;
        j["long"] = *o.lng;
      }
    } else {
      j["status_notes"] = "";
    }
    return j;
  };

  // Post a request: form-encoded, with an api_key from the config.
  auto post_request = [this](Call c) {
    const std::string format = split_format(c.req->path.substr(c.req->path.rfind('/') + 1)).second;
    std::vector<std::pair<std::string, std::string>> form;
    if (auto err = decode_form(c.req->body, form))
      return c.respond(o311_error(format, 400, "the form body is malformed: " + *err));
    auto field = [&](const char* k) -> std::string {
      for (const auto& [kk, v] : form)
        if (kk == k) return v;
      return {};
    };
    auto rules = this->rules();
    if (!rules) return c.respond(o311_error(format, 503, "the server runs without a config"));
    const auto& d = *rules->deployment;
    const std::string key = field("api_key");
    const core::Open311Key* who = nullptr;
    for (const auto& k : d.open311_keys)
      if (!key.empty() && k.key == key) who = &k;
    if (!who) return c.respond(o311_error(format, 403, "api_key is missing or not known"));
    const std::string jur = field("jurisdiction_id");
    if (!jur.empty() && jur != d.open311_jurisdiction)
      return c.respond(o311_error(format, 404, "jurisdiction_id " + jur + " is not served here"));
    const std::string code = field("service_code");
    const std::string category = category_of(rules.get(), code);
    if (category.empty())
      return c.respond(
          o311_error(format, 400, "service_code names no service (see services.json)"));
    json::object args{{"kind", "complaint"}, {"channel", "open311"}, {"category", category}};
    const std::string description = field("description");
    if (description.empty()) return c.respond(o311_error(format, 400, "description is required"));
    args["description"] = description;
    const std::string address = field("address_string");
    const std::string lat = field("lat"), lng = field("long");
    if (!address.empty()) args["address"] = address;
    if (!lat.empty() || !lng.empty()) {
      try {
        std::size_t a = 0, b = 0;
        double la = std::stod(lat, &a), lo = std::stod(lng, &b);
        if (a != lat.size() || b != lng.size()) throw std::invalid_argument("trailing");
        args["lat"] = la;
        args["lng"] = lo;
      } catch (const std::exception&) {
        return c.respond(o311_error(format, 400, "lat and long must be decimal degrees"));
      }
    }
    if (address.empty() && lat.empty())
      return c.respond(o311_error(format, 400, "give address_string or lat and long"));
    std::string name = field("first_name");
    if (!field("last_name").empty()) name = field("last_name") + name;
    const std::string phone = field("phone");
    if (!name.empty() || !phone.empty()) args["citizen"] = {{"name", name}, {"phone", phone}};
    engine::Request req;
    req.cmd = {core::CommandType::create, std::move(args)};
    req.actor = {"open311:" + who->name, core::Role::system, "", ""};
    req.idempotency_key = c.req->idempotency_key;
    s_.engine.execute(std::move(req), [c, format](engine::Reply r) {
      if (!r.ok())
        return c.respond(
            o311_error(format, api::status_of(r.rejection->code), r.rejection->reason));
      json::array out{json::object{{"service_request_id", r.order.number},
                                   {"service_notice", "已受理，将按时限办理"},
                                   {"account_id", nullptr}}};
      c.respond(answer(format, 201, out, "service_requests", "request"));
    });
  };
  router_.add("POST", "/open311/v2/requests.json", kPublic, post_request);
  router_.add("POST", "/open311/v2/requests.xml", kPublic, post_request);

  // Requests with the spec's filters: ids, service_code, start/end date
  // (default: the last 90 days), status; at most 1000.
  both("/open311/v2/requests", [this, format_of, request_json](Call c) {
    const std::string format = format_of(c);
    const auto& r = *c.req;
    auto rules = this->rules();
    json::array items;
    if (const std::string* ids = r.param("service_request_id")) {
      std::size_t pos = 0;
      int n = 0;
      while (pos <= ids->size() && n < 100) {
        std::size_t comma = ids->find(',', pos);
        if (comma == std::string::npos) comma = ids->size();
        std::string id = ids->substr(pos, comma - pos);
        pos = comma + 1;
        ++n;
        if (id.empty() || id.size() > 40) continue;
        if (auto h = s_.store.get_order(id)) items.push_back(request_json(h->order, rules.get()));
      }
      return c.respond(answer(format, 200, items, "service_requests", "request"));
    }
    db::OrderFilter f;
    f.limit = 1000;
    const core::Millis now = s_.clock.now();
    f.created_to = now + 1;
    if (const std::string* e = r.param("end_date")) {
      auto t = parse_iso(*e);
      if (!t) return c.respond(o311_error(format, 400, "end_date must be ISO 8601"));
      f.created_to = *t;
    }
    f.created_from = f.created_to - 90 * core::kDay;
    if (const std::string* s = r.param("start_date")) {
      auto t = parse_iso(*s);
      if (!t) return c.respond(o311_error(format, 400, "start_date must be ISO 8601"));
      f.created_from = *t;
    }
    if (f.created_to <= f.created_from)
      return c.respond(o311_error(format, 400, "end_date must be after start_date"));
    if (f.created_to - f.created_from > 90 * core::kDay)
      return c.respond(o311_error(format, 400, "a window of at most 90 days"));
    if (const std::string* st = r.param("status")) {
      if (*st == "open")
        f.only_open = true;
      else if (*st == "closed")
        f.statuses = {core::Status::closed, core::Status::cancelled, core::Status::transferred};
      else
        return c.respond(o311_error(format, 400, "status must be open or closed"));
    }
    if (const std::string* code = r.param("service_code")) {
      const std::string category = category_of(rules.get(), *code);
      if (category.empty())
        return c.respond(o311_error(format, 400, "service_code names no service"));
      f.category_prefix = category;
    }
    for (const auto& o : s_.store.list_orders(f).items)
      items.push_back(request_json(o, rules.get()));
    c.respond(answer(format, 200, items, "service_requests", "request"));
  });

  router_.add("GET", "/open311/v2/requests/{id}", kPublic, [this, request_json](Call c) {
    auto [id, format] = split_format(c.param("id"));
    if (!known_format(format))
      return c.respond(o311_error("json", 404, "ask for requests/ID.json or .xml"));
    auto h = id.size() <= 40 ? s_.store.get_order(id) : std::nullopt;
    if (!h) return c.respond(o311_error(format, 404, "no request " + id));
    auto rules = this->rules();
    json::array items{request_json(h->order, rules.get())};
    c.respond(answer(format, 200, items, "service_requests", "request"));
  });
}

}  // namespace huying::server
