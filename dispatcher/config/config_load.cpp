#include "dispatcher/config/config_load.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "dispatcher/core/command_args.hpp"
#include "dispatcher/core/escalation.hpp"

namespace huying::core {

namespace fs = std::filesystem;

std::string ConfigError::to_string() const {
  return line > 0 ? file + ":" + std::to_string(line) + ": " + reason : file + ": " + reason;
}

namespace {

// Levenshtein distance over bytes (keys are ASCII), for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// Reads one YAML file, collecting errors with positions.
class Reader {
 public:
  Reader(std::string file, std::vector<ConfigError>& errors)
      : file_(std::move(file)), errors_(errors) {}

  // Parses the file; returns a null node (and records why) on failure.
  YAML::Node load(bool required) {
    if (!fs::exists(file_)) {
      if (required) errors_.push_back({file_, 0, "file is missing"});
      return YAML::Node();
    }
    try {
      return YAML::LoadFile(file_);
    } catch (const YAML::ParserException& e) {
      errors_.push_back({file_, e.mark.line + 1, "YAML syntax error: " + e.msg});
    } catch (const YAML::Exception& e) {
      errors_.push_back({file_, 0, std::string("cannot read: ") + e.what()});
    }
    return YAML::Node();
  }

  SourcePos pos(const YAML::Node& n) const {
    return {file_, n.Mark().is_null() ? 0 : n.Mark().line + 1};
  }

  void error(const YAML::Node& at, std::string reason) {
    errors_.push_back({file_, pos(at).line, std::move(reason)});
  }

  // A list under `key` at the top of the document (missing = empty).
  YAML::Node list(const YAML::Node& doc, const char* key) {
    if (!doc || !doc.IsMap()) return YAML::Node(YAML::NodeType::Sequence);
    YAML::Node n = doc[key];
    if (!n.IsDefined() || n.IsNull()) return YAML::Node(YAML::NodeType::Sequence);
    if (!n.IsSequence()) {
      error(n, std::string(key) + " must be a list");
      return YAML::Node(YAML::NodeType::Sequence);
    }
    return n;
  }

  std::string str(const YAML::Node& item, const char* key, bool required) {
    YAML::Node v = item.IsMap() ? item[key] : YAML::Node();
    if (!v.IsDefined() || v.IsNull()) {
      if (required) error(item, std::string("missing required key '") + key + "'");
      return {};
    }
    if (!v.IsScalar()) {
      error(v, std::string(key) + " must be a single value");
      return {};
    }
    return v.Scalar();
  }

  int integer(const YAML::Node& item, const char* key, bool required, int fallback = 0) {
    std::string s = str(item, key, required);
    if (s.empty()) return fallback;
    try {
      std::size_t used = 0;
      int v = std::stoi(s, &used);
      if (used != s.size()) throw std::invalid_argument(s);
      return v;
    } catch (const std::exception&) {
      error(item[key], std::string(key) + " must be a whole number, not '" + s + "'");
      return fallback;
    }
  }

  std::vector<std::string> strings(const YAML::Node& item, const char* key) {
    std::vector<std::string> out;
    YAML::Node v = item.IsMap() ? item[key] : YAML::Node();
    if (!v.IsDefined() || v.IsNull()) return out;
    if (!v.IsSequence()) {
      error(v, std::string(key) + " must be a list");
      return out;
    }
    for (const auto& e : v) {
      if (e.IsScalar())
        out.push_back(e.Scalar());
      else
        error(e, std::string(key) + " must list plain values");
    }
    return out;
  }

  // Every key of the mapping `item` must be one of `known`: a misspelled key
  // would otherwise be ignored and its setting silently keep its default.
  // The error names the nearest known key when one is close.
  void keys(const YAML::Node& item, std::initializer_list<std::string_view> known) {
    if (!item.IsMap()) return;
    for (const auto& kv : item) {
      const YAML::Node& k = kv.first;
      std::string key = k.IsScalar() ? k.Scalar() : std::string("?");
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string_view best;
      std::size_t best_d = std::string::npos;
      for (auto c : known) {
        std::size_t dist = edit_distance(key, c);
        if (dist < best_d) best_d = dist, best = c;
      }
      std::string msg = "unknown key '" + key + "'";
      if (!best.empty() && best_d <= std::max<std::size_t>(2, best.size() / 3))
        msg += " (did you mean '" + std::string(best) + "'?)";
      else {
        msg += " (known keys:";
        for (auto c : known) msg += " " + std::string(c);
        msg += ")";
      }
      error(k, msg);
    }
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<ConfigError>& errors_;
};

void read_categories(Reader& r, const YAML::Node& list, const std::string& prefix,
                     const std::string& inherited_type,
                     const std::vector<std::string>& inherited_assist, Deployment& d) {
  for (const auto& item : list) {
    r.keys(item, {"name", "type", "assist", "children"});
    std::string name = r.str(item, "name", true);
    if (name.empty()) continue;
    if (name.find('/') != std::string::npos) {
      r.error(item, "category name '" + name + "' must not contain '/'");
      continue;
    }
    Category c;
    c.path = prefix.empty() ? name : prefix + "/" + name;
    c.type = r.str(item, "type", false);
    if (c.type.empty()) c.type = inherited_type;
    c.assist_types = r.strings(item, "assist");
    if (c.assist_types.empty()) c.assist_types = inherited_assist;
    c.pos = r.pos(item);
    YAML::Node children = item["children"];
    c.leaf = !(children.IsDefined() && children.IsSequence() && children.size() > 0);
    d.categories.push_back(c);
    if (!c.leaf) read_categories(r, children, c.path, c.type, c.assist_types, d);
  }
}

void read_polygons(const std::string& file, Deployment& d, std::vector<ConfigError>& errors) {
  if (!fs::exists(file)) return;
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  boost::system::error_code ec;
  boost::json::stream_parser p;
  std::size_t used = p.write_some(text.data(), text.size(), ec);
  if (!ec) p.finish(ec);
  auto line_at = [&](std::size_t off) {
    return 1 + static_cast<int>(
                   std::count(text.begin(), text.begin() + std::min(off, text.size()), '\n'));
  };
  if (ec) {
    errors.push_back({file, line_at(used), "JSON syntax error: " + ec.message()});
    return;
  }
  boost::json::value doc = p.release();
  std::unordered_map<std::string, Area*> by_code;
  for (auto& a : d.areas) by_code[a.code] = &a;
  auto* features = doc.is_object() ? doc.as_object().if_contains("features") : nullptr;
  if (!features || !features->is_array()) {
    errors.push_back({file, 1, "expected a GeoJSON FeatureCollection with 'features'"});
    return;
  }
  int index = 0;
  for (const auto& f : features->as_array()) {
    ++index;
    std::string where = "feature " + std::to_string(index);
    try {
      const auto& props = f.at("properties").as_object();
      std::string code(props.at("code").as_string());
      auto it = by_code.find(code);
      if (it == by_code.end()) {
        errors.push_back({file, 0, where + ": unknown area code " + code});
        continue;
      }
      const auto& geom = f.at("geometry").as_object();
      if (geom.at("type").as_string() != "Polygon") {
        errors.push_back({file, 0, where + ": geometry must be a Polygon"});
        continue;
      }
      const auto& ring = geom.at("coordinates").as_array().at(0).as_array();
      std::vector<std::pair<double, double>> pts;
      for (const auto& pt : ring) {
        const auto& xy = pt.as_array();
        pts.emplace_back(xy.at(0).to_number<double>(), xy.at(1).to_number<double>());
      }
      if (pts.size() < 4) {
        errors.push_back(
            {file, 0, where + " (" + code + "): a polygon needs at least 3 distinct points"});
        continue;
      }
      it->second->polygon = std::move(pts);
    } catch (const std::exception& e) {
      errors.push_back({file, 0, where + ": malformed feature (" + std::string(e.what()) + ")"});
    }
  }
}

// `extra_key`: one more key the mapping may hold (a department's `dept`).
std::optional<WorkingHours> read_hours(Reader& r, const YAML::Node& n, const WorkingHours& base,
                                       const char* extra_key = nullptr) {
  WorkingHours h = base;
  bool ok = true;
  auto read = [&](const char* key, DayIntervals& into) {
    YAML::Node v = n[key];
    if (!v.IsDefined()) return;
    if (!v.IsSequence()) {
      r.error(v, std::string(key) + " must be a list like [\"09:00-12:00\", \"13:30-18:00\"]");
      ok = false;
      return;
    }
    into.clear();
    for (const auto& e : v) {
      auto iv = e.IsScalar() ? parse_interval(e.Scalar()) : std::nullopt;
      if (!iv) {
        r.error(e, std::string(key) + ": '" + (e.IsScalar() ? e.Scalar() : std::string("?")) +
                       "' is not a time range like 09:00-12:00");
        ok = false;
        continue;
      }
      if (!into.empty() && iv->first < into.back().second) {
        r.error(e, std::string(key) + ": time ranges must be in order and not overlap");
        ok = false;
      }
      into.push_back(*iv);
    }
  };
  DayIntervals weekdays = h.week[0];
  if (extra_key)
    r.keys(n, {extra_key, "weekdays", "saturday", "sunday", "makeup"});
  else
    r.keys(n, {"weekdays", "saturday", "sunday", "makeup"});
  read("weekdays", weekdays);
  for (int d = 0; d < 5; ++d) h.week[d] = weekdays;
  read("saturday", h.week[5]);
  read("sunday", h.week[6]);
  h.makeup = weekdays;
  read("makeup", h.makeup);
  if (!ok) return std::nullopt;
  return h;
}

template <class E>
std::vector<E> enum_list(Reader& r, const YAML::Node& item, const char* key) {
  std::vector<E> out;
  YAML::Node v = item[key];
  if (!v.IsDefined() || v.IsNull()) return out;
  std::vector<std::string> names;
  if (v.IsScalar())
    names.push_back(v.Scalar());
  else
    names = r.strings(item, key);
  for (const auto& n : names) {
    if (auto e = parse<E>(n))
      out.push_back(*e);
    else
      r.error(v, std::string(key) + ": unknown value '" + n + "' (one of " + choices<E>() + ")");
  }
  return out;
}

void read_sla(const std::string& file, const std::string& dir, Deployment& d,
              std::vector<ConfigError>& errors) {
  if (!fs::exists(file)) return;  // natural-time stand-in
  Reader r(file, errors);
  YAML::Node doc = r.load(false);
  if (!doc.IsDefined() || doc.IsNull()) return;
  SlaConfig cfg;
  r.keys(doc, {"holidays", "working_hours", "department_hours", "report", "policies"});
  if (auto h = read_hours(
          r,
          doc["working_hours"].IsDefined() ? doc["working_hours"] : YAML::Node(YAML::NodeType::Map),
          WorkingHours::standard()))
    cfg.hours = *h;
  for (const auto& item : r.list(doc, "department_hours")) {
    std::string dept = r.str(item, "dept", true);
    if (auto h = read_hours(r, item, cfg.hours, "dept")) cfg.dept_hours[dept] = *h;
    if (!dept.empty() && std::none_of(d.departments.begin(), d.departments.end(),
                                      [&](const Department& x) { return x.id == dept; }))
      r.error(item, "department_hours names unknown department " + dept);
  }
  if (std::string rep = r.str(doc, "report", false); !rep.empty()) {
    if (auto v = parse_duration(rep))
      cfg.report = *v;
    else
      r.error(doc["report"], "report: '" + rep + "' is not a duration like 30m");
  }
  // Holidays: a folder of YEAR.json files, relative to the config folder.
  std::string hol = r.str(doc, "holidays", true);
  if (!hol.empty()) {
    fs::path folder = fs::path(dir) / hol;
    if (!fs::is_directory(folder)) {
      r.error(doc["holidays"], "holidays: " + folder.string() + " is not a folder");
    } else {
      std::vector<fs::path> files;
      for (const auto& f : fs::directory_iterator(folder))
        if (f.path().extension() == ".json") files.push_back(f.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        std::ifstream in(f);
        std::stringstream ss;
        ss << in.rdbuf();
        try {
          cfg.holidays.push_back(parse_holiday_year(ss.str()));
        } catch (const std::invalid_argument& e) {
          errors.push_back({f.string(), 0, e.what()});
        }
      }
      if (files.empty())
        r.error(doc["holidays"], "holidays: no YEAR.json files in " + folder.string());
    }
  }
  if (doc["policies"].IsDefined()) {
    for (const auto& item : r.list(doc, "policies")) {
      SlaRule rule;
      r.keys(item, {"kind", "urgency", "mode", "category", "dept", "time", "claim", "handle",
                    "visit", "warning"});
      rule.line = r.pos(item).line;
      rule.kinds = enum_list<Kind>(r, item, "kind");
      rule.urgencies = enum_list<Urgency>(r, item, "urgency");
      rule.modes = enum_list<Mode>(r, item, "mode");
      rule.category = r.str(item, "category", false);
      rule.dept = r.str(item, "dept", false);
      std::string time = r.str(item, "time", false);
      if (time == "natural")
        rule.natural = true;
      else if (time == "working")
        rule.natural = false;
      else if (!time.empty())
        r.error(item["time"], "time must be working or natural, not '" + time + "'");
      const bool natural = time == "natural";
      for (auto [key, into] : {std::pair<const char*, std::optional<Millis>*>{"claim", &rule.claim},
                               {"handle", &rule.handle},
                               {"visit", &rule.visit}}) {
        std::string v = r.str(item, key, false);
        if (v.empty()) continue;
        if (auto ms = parse_duration(v))
          *into = *ms;
        else
          r.error(item[key],
                  std::string(key) + ": '" + v + "' is not a duration like 2h, 30m or 15wd");
        if (natural && v.size() > 2 && v.compare(v.size() - 2, 2, "wd") == 0 &&
            std::string(key) != "visit")
          r.error(item[key],
                  std::string(key) + ": a natural-time policy cannot count working days (wd)");
      }
      if (!rule.dept.empty() &&
          std::none_of(d.departments.begin(), d.departments.end(),
                       [&](const Department& x) { return x.id == rule.dept; }))
        r.error(item["dept"], "policy names unknown department " + rule.dept);
      if (!rule.category.empty() &&
          std::none_of(d.categories.begin(), d.categories.end(),
                       [&](const Category& c) { return c.path == rule.category; }))
        r.error(item["category"], "policy names unknown category " + rule.category);
      std::string w = r.str(item, "warning", false);
      if (!w.empty()) {
        try {
          double x = std::stod(w);
          if (x <= 0 || x >= 1) throw std::out_of_range(w);
          rule.warning = x;
        } catch (const std::exception&) {
          r.error(item["warning"], "warning must be a fraction between 0 and 1, not '" + w + "'");
        }
      }
      cfg.rules.push_back(std::move(rule));
    }
  } else {
    cfg.rules = default_sla_rules();
  }
  if (!cfg.holidays.empty()) {
    try {
      Calendar probe(cfg.hours, cfg.holidays);
    } catch (const std::invalid_argument& e) {
      errors.push_back({file, 0, e.what()});
    }
    for (const auto& [dept, hours] : cfg.dept_hours) {
      try {
        Calendar probe(hours, cfg.holidays);
      } catch (const std::invalid_argument& e) {
        errors.push_back({file, 0, "department_hours for " + dept + ": " + e.what()});
      }
    }
  }
  d.sla = std::move(cfg);
}

}  // namespace

LoadResult load_deployment(const std::string& dir) {
  LoadResult res;
  auto d = std::make_shared<Deployment>();
  d->dir = dir;
  auto path = [&](const char* f) { return (fs::path(dir) / f).string(); };
  if (!fs::is_directory(dir)) {
    res.errors.push_back({dir, 0, "not a directory"});
    return res;
  }

  {
    Reader r(path("deployment.yaml"), res.errors);
    YAML::Node doc = r.load(true);
    if (doc && doc.IsMap()) {
      r.keys(doc, {"name", "version", "fallback_type", "arbitration", "auto_dispatch", "locality",
                   "platforms", "callback", "modes", "open311"});
      // Open311 GeoReport v2: the API keys of third-party apps that may post requests.
      if (YAML::Node o3 = doc["open311"]; o3.IsDefined() && !o3.IsNull()) {
        if (!o3.IsMap()) {
          r.error(o3, "open311 must be a mapping like {jurisdiction_id: ..., api_keys: [...]}");
        } else {
          r.keys(o3, {"jurisdiction_id", "api_keys"});
          d->open311_jurisdiction = r.str(o3, "jurisdiction_id", false);
          for (const auto& item : r.list(o3, "api_keys")) {
            r.keys(item, {"key", "name"});
            Open311Key k{r.str(item, "key", true), r.str(item, "name", true), r.pos(item)};
            if (!k.key.empty() && k.key.size() < 16)
              r.error(item["key"], "an Open311 api key must be at least 16 characters");
            d->open311_keys.push_back(std::move(k));
          }
        }
      }
      if (YAML::Node md = doc["modes"]; md.IsDefined() && !md.IsNull()) {
        if (!md.IsMap()) {
          r.error(
              md,
              "modes must be a mapping with by_kind, by_category and tracked_note_working_days");
        } else {
          r.keys(md, {"by_kind", "by_category", "tracked_note_working_days"});
          auto mode_of = [&](const YAML::Node& at, const std::string& v) -> std::optional<Mode> {
            auto m = parse<Mode>(v);
            if (!m) r.error(at, "unknown mode '" + v + "' (one of " + choices<Mode>() + ")");
            return m;
          };
          if (YAML::Node bk = md["by_kind"]; bk.IsDefined()) {
            if (!bk.IsMap())
              r.error(bk, "modes.by_kind must map a kind to a mode, e.g. {consult: immediate}");
            else
              for (const auto& kv : bk) {
                auto k = parse<Kind>(kv.first.Scalar());
                if (!k)
                  r.error(kv.first, "unknown kind '" + kv.first.Scalar() + "' (one of " +
                                        choices<Kind>() + ")");
                auto m =
                    kv.second.IsScalar() ? mode_of(kv.second, kv.second.Scalar()) : std::nullopt;
                if (k && m) d->kind_modes[*k] = *m;
              }
          }
          for (const auto& item : r.list(md, "by_category")) {
            r.keys(item, {"category", "mode"});
            std::string c = r.str(item, "category", true);
            if (auto m = mode_of(item, r.str(item, "mode", true)); m && !c.empty())
              d->category_modes.emplace_back(c, *m);
          }
          d->tracked_note_working_days = r.integer(md, "tracked_note_working_days", false, 5);
          if (d->tracked_note_working_days < 1 || d->tracked_note_working_days > 60)
            r.error(md, "modes.tracked_note_working_days must be between 1 and 60");
        }
      }
      d->locality = r.strings(doc, "locality");
      for (const auto& item : r.list(doc, "platforms")) {
        r.keys(item, {"code", "name", "base_url", "api_key"});
        Platform p{r.str(item, "code", true), r.str(item, "name", true),
                   r.str(item, "base_url", false), r.str(item, "api_key", false), r.pos(item)};
        if (!p.base_url.empty() && p.base_url.rfind("http://", 0) != 0 &&
            p.base_url.rfind("https://", 0) != 0)
          r.error(item["base_url"], "base_url must start with http:// or https://");
        if (!p.api_key.empty() && p.api_key.size() < 16)
          r.error(item["api_key"], "a platform api_key must be at least 16 characters");
        d->platforms.push_back(std::move(p));
      }
      if (YAML::Node cb = doc["callback"]; cb.IsDefined() && !cb.IsNull()) {
        if (!cb.IsMap()) {
          r.error(cb, "callback must be a mapping like {attempts: 3, working_days: 2}");
        } else {
          r.keys(cb, {"attempts", "working_days"});
          d->callback_attempts = r.integer(cb, "attempts", false, 3);
          d->callback_working_days = r.integer(cb, "working_days", false, 2);
          if (d->callback_attempts < 1 || d->callback_attempts > 20)
            r.error(cb, "callback.attempts must be between 1 and 20");
          if (d->callback_working_days < 1 || d->callback_working_days > 30)
            r.error(cb, "callback.working_days must be between 1 and 30");
        }
      }
      d->name = r.str(doc, "name", true);
      d->version = r.str(doc, "version", true);
      std::string fb = r.str(doc, "fallback_type", false);
      if (!fb.empty()) d->fallback_type = fb;
      d->arbitration_dept = r.str(doc, "arbitration", true);
      std::string ad = r.str(doc, "auto_dispatch", false);
      if (ad == "true" || ad == "yes")
        d->auto_dispatch = true;
      else if (!ad.empty() && ad != "false" && ad != "no")
        r.error(doc["auto_dispatch"], "auto_dispatch must be true or false");
    } else if (doc) {
      r.error(doc, "expected a mapping with name, version, arbitration");
    }
  }
  {
    Reader r(path("areas.yaml"), res.errors);
    YAML::Node doc = r.load(true);
    r.keys(doc, {"areas"});
    for (const auto& item : r.list(doc, "areas")) {
      r.keys(item, {"code", "name", "level", "parent", "aliases"});
      Area a;
      a.code = r.str(item, "code", true);
      a.name = r.str(item, "name", true);
      std::string level = r.str(item, "level", true);
      if (level == "district")
        a.level = AreaLevel::district;
      else if (level == "city")
        a.level = AreaLevel::city;
      else if (level == "street")
        a.level = AreaLevel::street;
      else if (level == "community")
        a.level = AreaLevel::community;
      else if (!level.empty())
        r.error(item["level"],
                "level must be city, district, street or community, not '" + level + "'");
      a.parent = r.str(item, "parent", false);
      a.aliases = r.strings(item, "aliases");
      a.pos = r.pos(item);
      d->areas.push_back(std::move(a));
    }
  }
  {
    Reader r(path("departments.yaml"), res.errors);
    YAML::Node doc = r.load(true);
    r.keys(doc, {"departments"});
    for (const auto& item : r.list(doc, "departments")) {
      r.keys(item, {"id", "name", "type", "area"});
      Department dep;
      dep.id = r.str(item, "id", true);
      dep.name = r.str(item, "name", true);
      dep.type = r.str(item, "type", true);
      dep.area = r.str(item, "area", true);
      dep.pos = r.pos(item);
      d->departments.push_back(std::move(dep));
    }
  }
  {
    Reader r(path("categories.yaml"), res.errors);
    YAML::Node doc = r.load(true);
    r.keys(doc, {"categories"});
    read_categories(r, r.list(doc, "categories"), "", "", {}, *d);
  }
  {
    Reader r(path("gazetteer.yaml"), res.errors);
    YAML::Node doc = r.load(false);
    r.keys(doc, {"roads", "estates", "landmarks"});
    for (const auto& road : r.list(doc, "roads")) {
      r.keys(road, {"name", "segments"});
      std::string name = r.str(road, "name", true);
      YAML::Node segs = road["segments"];
      if (!segs.IsDefined() || !segs.IsSequence()) {
        r.error(road, "road '" + name + "' needs a list of segments");
        continue;
      }
      for (const auto& s : segs) {
        r.keys(s, {"from", "to", "parity", "community"});
        RoadSegment seg;
        seg.road = name;
        seg.from = r.integer(s, "from", true);
        seg.to = r.integer(s, "to", true);
        std::string parity = r.str(s, "parity", false);
        if (parity == "odd")
          seg.parity = Parity::odd;
        else if (parity == "even")
          seg.parity = Parity::even;
        else if (!parity.empty() && parity != "any")
          r.error(s, "parity must be odd, even or any");
        seg.community = r.str(s, "community", true);
        seg.pos = r.pos(s);
        d->roads.push_back(std::move(seg));
      }
    }
    for (const char* key : {"estates", "landmarks"}) {
      for (const auto& item : r.list(doc, key)) {
        r.keys(item, {"name", "community"});
        Place p{r.str(item, "name", true), r.str(item, "community", true), r.pos(item),
                std::string(key) == "estates" ? "estate" : "landmark"};
        d->places.push_back(std::move(p));
      }
    }
  }
  {
    Reader r(path("routing.yaml"), res.errors);
    YAML::Node doc = r.load(true);
    r.keys(doc, {"emergency", "overrides"});
    for (const auto& item : r.list(doc, "emergency")) {
      r.keys(item, {"line", "keywords"});
      EmergencyCue c{r.str(item, "line", true), r.strings(item, "keywords"), r.pos(item)};
      d->emergency.push_back(std::move(c));
    }
    for (const auto& item : r.list(doc, "overrides")) {
      r.keys(item, {"name", "category", "area", "lead", "assist"});
      RoutingOverride o;
      o.name = r.str(item, "name", true);
      o.category = r.str(item, "category", true);
      o.area = r.str(item, "area", true);
      o.lead = r.str(item, "lead", true);
      o.assist = r.strings(item, "assist");
      o.pos = r.pos(item);
      d->overrides.push_back(std::move(o));
    }
  }
  {
    Reader r(path("escalation.yaml"), res.errors);
    YAML::Node doc = r.load(false);
    if (!fs::exists(r.file())) d->escalation = default_escalation_rules();
    r.keys(doc, {"rules"});
    for (const auto& item : r.list(doc, "rules")) {
      r.keys(item,
             {"name", "trigger", "action", "factor", "working_days", "times", "count", "days"});
      EscalationRule e;
      e.name = r.str(item, "name", true);
      e.pos = r.pos(item);
      std::string trig = r.str(item, "trigger", true);
      if (auto t = parse<Trigger>(trig))
        e.trigger = *t;
      else if (!trig.empty())
        r.error(item, "rule " + e.name + ": unknown trigger '" + trig + "' (one of " +
                          choices<Trigger>() + ")");
      std::string act = r.str(item, "action", true);
      if (auto a = parse<Action>(act))
        e.action = *a;
      else if (!act.empty())
        r.error(item, "rule " + e.name + ": unknown action '" + act + "' (one of " +
                          choices<Action>() + ")");
      std::string factor = r.str(item, "factor", false);
      if (!factor.empty()) {
        try {
          e.factor = std::stod(factor);
        } catch (const std::exception&) {
          r.error(item, "rule " + e.name + ": factor must be a number");
        }
      }
      e.working_days = r.integer(item, "working_days", false, 0);
      e.times = r.integer(item, "times", false, 2);
      e.count = r.integer(item, "count", false, 3);
      e.days = r.integer(item, "days", false, 7);
      d->escalation.push_back(std::move(e));
    }
  }
  {
    Reader r(path("users.yaml"), res.errors);
    YAML::Node doc = r.load(false);
    r.keys(doc, {"users"});
    for (const auto& item : r.list(doc, "users")) {
      r.keys(item, {"id", "name", "role", "dept", "area", "password", "password_hash"});
      UserConfig u;
      u.id = r.str(item, "id", true);
      u.name = r.str(item, "name", false);
      std::string role = r.str(item, "role", true);
      if (auto ro = parse<Role>(role))
        u.role = *ro;
      else if (!role.empty())
        r.error(item["role"], "unknown role '" + role + "' (one of " + choices<Role>() + ")");
      u.dept = r.str(item, "dept", false);
      u.area = r.str(item, "area", false);
      u.password = r.str(item, "password", false);
      u.password_hash = r.str(item, "password_hash", false);
      if (!u.password_hash.empty() && u.password_hash.rfind("$argon2id$", 0) != 0)
        r.error(item["password_hash"],
                "password_hash must be an Argon2id hash ($argon2id$...), as `huying hash-password` "
                "prints");
      if (!u.password_hash.empty() && !u.password.empty())
        r.error(item["password"], "give password_hash or password, not both");
      u.pos = r.pos(item);
      d->users.push_back(std::move(u));
    }
  }
  read_sla(path("sla.yaml"), dir, *d, res.errors);
  if (res.errors.empty()) read_polygons(path("polygons.geojson"), *d, res.errors);
  if (res.errors.empty()) res.errors = validate(*d);
  if (res.errors.empty()) res.deployment = std::move(d);
  return res;
}

std::vector<ConfigError> validate(const Deployment& d) {
  std::vector<ConfigError> errs;
  auto err = [&](const SourcePos& p, std::string reason) {
    errs.push_back({p.file, p.line, std::move(reason)});
  };

  // Areas: codes, uniqueness, parents, levels, cycles.
  std::unordered_map<std::string, const Area*> areas;
  int roots = 0;
  for (const auto& a : d.areas) {
    if (!valid_area_code(a.code)) {
      err(a.pos, "area code '" + a.code + "' must be 12 digits");
      continue;
    }
    auto [it, fresh] = areas.emplace(a.code, &a);
    if (!fresh)
      err(a.pos, "area code " + a.code + " is used twice (first at line " +
                     std::to_string(it->second->pos.line) + ")");
    if (a.parent.empty()) ++roots;
  }
  // One root: the district, or a city above its districts.
  if (roots != 1 && !d.areas.empty())
    err(d.areas.front().pos,
        "exactly one area must have no parent: the district (or the city); found " +
            std::to_string(roots));
  for (const auto& a : d.areas) {
    if (a.parent.empty()) {
      if (a.level != AreaLevel::district && a.level != AreaLevel::city)
        err(a.pos, "area " + a.code + " needs a parent");
      continue;
    }
    if (a.level == AreaLevel::city) {
      err(a.pos, "the city " + a.code + " must not have a parent");
      continue;
    }
    auto p = areas.find(a.parent);
    if (a.parent.empty()) {
      err(a.pos, "area " + a.code + " needs a parent");
      continue;
    }
    if (p == areas.end()) {
      err(a.pos, "area " + a.code + " names unknown parent " + a.parent);
      continue;
    }
    // Walk up: a cycle never reaches the district.
    std::set<std::string> seen{a.code};
    const Area* cur = p->second;
    bool cycle = false;
    while (cur && !cur->parent.empty()) {
      if (!seen.insert(cur->code).second) {
        cycle = true;
        break;
      }
      auto up = areas.find(cur->parent);
      cur = up == areas.end() ? nullptr : up->second;
    }
    if (cycle) {
      err(a.pos, "area " + a.code + " is part of a cycle in the area tree");
      continue;
    }
    AreaLevel want = a.level == AreaLevel::community ? AreaLevel::street
                     : a.level == AreaLevel::street  ? AreaLevel::district
                                                     : AreaLevel::city;
    static const char* names[] = {"district", "street", "community", "city"};
    if (p->second->level != want)
      err(a.pos, "area " + a.code + ": a " + names[static_cast<int>(a.level)] +
                     "'s parent must be a " + names[static_cast<int>(want)]);
  }

  // Departments.
  std::unordered_map<std::string, const Department*> depts;
  std::set<std::string> types;
  std::set<std::string> type_area;
  for (const auto& dep : d.departments) {
    auto [it, fresh] = depts.emplace(dep.id, &dep);
    if (!fresh)
      err(dep.pos, "department id " + dep.id + " is used twice (first at line " +
                       std::to_string(it->second->pos.line) + ")");
    auto a = areas.find(dep.area);
    if (a == areas.end())
      err(dep.pos, "department " + dep.id + " serves unknown area " + dep.area);
    else if (a->second->level == AreaLevel::community)
      err(dep.pos,
          "department " + dep.id + " must serve the district or a street, not a community");
    if (!type_area.insert(dep.type + "\n" + dep.area).second)
      err(dep.pos, "department " + dep.id + ": another department of type " + dep.type +
                       " already serves " + dep.area);
    types.insert(dep.type);
  }
  if (!d.arbitration_dept.empty() && !depts.count(d.arbitration_dept))
    errs.push_back({(std::filesystem::path(d.dir) / "deployment.yaml").string(), 0,
                    "arbitration names unknown department " + d.arbitration_dept});

  // Categories.
  std::set<std::string> cat_paths;
  for (const auto& c : d.categories) {
    if (!cat_paths.insert(c.path).second) err(c.pos, "category " + c.path + " is defined twice");
    if (c.leaf && c.type.empty())
      err(c.pos, "category " + c.path + " has no responsible department type (type:)");
    else if (!c.type.empty() && !types.count(c.type))
      err(c.pos, "category " + c.path + ": no department has type " + c.type);
    for (const auto& t : c.assist_types)
      if (!types.count(t))
        err(c.pos, "category " + c.path + ": no department has assisting type " + t);
  }
  if (!types.count(d.fallback_type))
    errs.push_back({(std::filesystem::path(d.dir) / "deployment.yaml").string(), 0,
                    "fallback_type " + d.fallback_type + " matches no department"});

  // Gazetteer.
  auto community = [&](const std::string& code) {
    auto it = areas.find(code);
    return it != areas.end() && it->second->level == AreaLevel::community;
  };
  for (const auto& s : d.roads) {
    if (!community(s.community))
      err(s.pos, "road " + s.road + ": " + s.community + " is not a known community");
    if (s.from > s.to || s.from < 0)
      err(s.pos, "road " + s.road + ": house numbers from " + std::to_string(s.from) + " to " +
                     std::to_string(s.to) + " is an empty range");
  }
  for (const auto& p : d.places)
    if (!community(p.community))
      err(p.pos, "place " + p.name + ": " + p.community + " is not a known community");

  // Routing.
  for (const auto& c : d.emergency) {
    if (c.line != "110" && c.line != "119" && c.line != "120" && c.line != "122")
      err(c.pos, "emergency line must be 110, 119, 120 or 122, not '" + c.line + "'");
    if (c.keywords.empty()) err(c.pos, "emergency line " + c.line + " has no keywords");
  }
  std::map<std::string, const RoutingOverride*> seen_rules;
  for (const auto& o : d.overrides) {
    if (!depts.count(o.lead))
      err(o.pos, "rule " + o.name + ": lead names unknown department " + o.lead);
    for (const auto& a : o.assist)
      if (!depts.count(a)) err(o.pos, "rule " + o.name + ": assist names unknown department " + a);
    if (!areas.count(o.area)) err(o.pos, "rule " + o.name + ": unknown area " + o.area);
    bool cat_known = cat_paths.count(o.category) > 0;
    if (!cat_known)
      err(o.pos, "rule " + o.name + ": unknown category " + o.category + " (it can never fire)");
    auto [it, fresh] = seen_rules.emplace(o.category + "\n" + o.area, &o);
    if (!fresh)
      err(o.pos, "rule " + o.name + " can never fire: rule " + it->second->name + " (line " +
                     std::to_string(it->second->pos.line) + ") already covers " + o.category +
                     " in " + o.area);
  }

  // Nothing may be named by an empty string: it would match every text.
  for (const auto& c : d.emergency)
    for (const auto& k : c.keywords)
      if (k.find_first_not_of(" \t") == std::string::npos)
        err(c.pos,
            "emergency line " + c.line + " has an empty keyword (it would match every call)");
  for (const auto& a : d.areas)
    for (const auto& al : a.aliases)
      if (al.empty())
        err(a.pos, "area " + a.code + " has an empty alias (it would match every address)");
  for (const auto& a : d.areas)
    if (a.name.empty()) err(a.pos, "area " + a.code + " has no name");
  for (const auto& p : d.places)
    if (p.name.empty())
      err(p.pos, "a gazetteer place has an empty name (it would match every address)");
  for (const auto& s : d.roads)
    if (s.road.empty()) err(s.pos, "a road has an empty name (it would match every address)");

  // Escalation: each action must make sense for its trigger, and each rule
  // must be able to fire.
  std::set<std::string> rule_names;
  std::set<int> single_triggers;  // returned / unsatisfied / hot_spot: one rule each
  for (const auto& e : d.escalation) {
    if (!rule_names.insert(e.name).second)
      err(e.pos, "escalation rule " + e.name + " is defined twice");
    if ((e.trigger == Trigger::returned || e.trigger == Trigger::unsatisfied ||
         e.trigger == Trigger::hot_spot) &&
        !single_triggers.insert(static_cast<int>(e.trigger)).second)
      err(e.pos, "escalation rule " + e.name + ": only one rule may react to this trigger");
    std::set<Action> ok;
    switch (e.trigger) {
      case Trigger::not_claimed:
        ok = {Action::notify_lead, Action::supervise, Action::urge};
        break;
      case Trigger::overdue:
        ok = {Action::notify_lead, Action::supervise, Action::urge, Action::report_list};
        break;
      case Trigger::returned:
        ok = {Action::notify_lead, Action::supervise, Action::mark_difficult};
        break;
      case Trigger::hot_spot:
        ok = {Action::hot_spot};
        break;
      case Trigger::unsatisfied:
        ok = {Action::notify_lead, Action::supervise, Action::reopen};
        break;
      case Trigger::callback_overdue:
        ok = {Action::notify_supervisor, Action::supervise};
        break;
      case Trigger::note_overdue:
        ok = {Action::notify_lead, Action::urge, Action::supervise};
        break;
    }
    if (!ok.count(e.action))
      err(e.pos, "escalation rule " + e.name + ": this action does not go with its trigger");
    if (e.trigger == Trigger::not_claimed && !(e.factor > 0))
      err(e.pos, "escalation rule " + e.name + " can never fire: factor must be above 0");
    if ((e.trigger == Trigger::overdue || e.trigger == Trigger::callback_overdue ||
         e.trigger == Trigger::note_overdue) &&
        e.working_days < 0)
      err(e.pos, "escalation rule " + e.name + ": working_days must not be negative");
    if (e.trigger == Trigger::returned && e.times < 1)
      err(e.pos, "escalation rule " + e.name + " can never fire: times must be at least 1");
    if (e.trigger == Trigger::hot_spot && (e.count < 2 || e.days < 1))
      err(e.pos, "escalation rule " + e.name +
                     " can never fire: count must be at least 2 and days at least 1");
  }

  // Platforms of 跨域转办.
  std::set<std::string> platform_codes;
  for (const auto& p : d.platforms) {
    if (!platform_codes.insert(p.code).second)
      err(p.pos, "platform code " + p.code + " is used twice");
    if (!p.base_url.empty() && p.base_url.rfind("http://", 0) != 0 &&
        p.base_url.rfind("https://", 0) != 0)
      err(p.pos, "platform " + p.code + ": base_url must start with http:// or https://");
  }

  // Users.
  std::set<std::string> user_ids;
  for (const auto& u : d.users) {
    if (!user_ids.insert(u.id).second) err(u.pos, "user id " + u.id + " is used twice");
    bool needs_dept = u.role == Role::clerk || u.role == Role::coordinator;
    if (needs_dept && u.dept.empty())
      err(u.pos, "user " + u.id + ": a " + std::string(name(u.role)) + " needs a dept");
    if (!u.dept.empty() && !depts.count(u.dept))
      err(u.pos, "user " + u.id + " names unknown department " + u.dept);
    if (!u.area.empty() && !areas.count(u.area))
      err(u.pos, "user " + u.id + " names unknown area " + u.area);
  }
  return errs;
}

std::vector<std::string> coverage_warnings(const Deployment& d, Millis now) {
  std::vector<std::string> out;
  if (!d.sla) {
    out.push_back("no sla.yaml: deadlines are counted in natural time");
    return out;
  }
  if (d.sla->holidays.empty()) return out;
  int last = d.sla->holidays.back().year;
  CivilDate soon = shanghai_date(now + 90 * kDay);
  if (soon.year > last)
    out.push_back("holiday data ends " + std::to_string(last) +
                  "-12-31: deadlines after it are estimates from the "
                  "weekly hours; add " +
                  std::to_string(last + 1) +
                  ".json (holiday-cn format) when the State Council notice is out");
  return out;
}

std::string summarize(const Deployment& d) {
  int districts = 0, streets = 0, communities = 0, leaves = 0;
  for (const auto& a : d.areas) {
    if (a.level == AreaLevel::district) ++districts;
    if (a.level == AreaLevel::street) ++streets;
    if (a.level == AreaLevel::community) ++communities;
  }
  for (const auto& c : d.categories) leaves += c.leaf ? 1 : 0;
  std::ostringstream o;
  o << d.name << " (config version " << d.version << ")\n"
    << "  areas:       " << districts << (districts == 1 ? " district, " : " districts, ")
    << streets << " streets/towns, " << communities << " communities/villages\n"
    << "  departments: " << d.departments.size() << "\n"
    << "  categories:  " << d.categories.size() << " (" << leaves << " leaf)\n"
    << "  gazetteer:   " << d.roads.size() << " road segments, " << d.places.size()
    << " estates/landmarks\n"
    << "  routing:     " << d.overrides.size() << " overrides, " << d.emergency.size()
    << " emergency lines\n"
    << "  escalation:  " << d.escalation.size() << " rules\n"
    << "  sla:         "
    << (d.sla ? std::to_string(d.sla->rules.size()) + " policy rules, working time, holiday data " +
                    (d.sla->holidays.empty() ? std::string("none")
                                             : std::to_string(d.sla->holidays.front().year) + "-" +
                                                   std::to_string(d.sla->holidays.back().year))
              : std::string("none (natural time)"))
    << "\n"
    << "  users:       " << d.users.size() << "\n";
  return o.str();
}

}  // namespace huying::core
