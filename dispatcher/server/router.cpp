#include "dispatcher/server/router.hpp"

namespace huying::server {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

bool is_param(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

}  // namespace

const std::string& Call::param(std::string_view name) const {
  static const std::string empty;
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return empty;
}

RoleSet roles(std::initializer_list<core::Role> rs) {
  RoleSet s = 0;
  for (auto r : rs) s |= role_bit(r);
  return s;
}

void Router::add(std::string method, std::string pattern, RoleSet allowed, Handler h) {
  Route r;
  r.segments = split_path(pattern);
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.allowed = allowed;
  r.handler = std::move(h);
  routes_.push_back(std::move(r));
}

Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  const auto segs = split_path(path);
  // A literal segment wins over a parameter: try the routes with the most
  // literal matches first by scoring each candidate.
  int best = -1;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    int score = 0;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      if (is_param(r.segments[i]))
        ok = !segs[i].empty();
      else if (r.segments[i] == segs[i])
        ++score;
      else
        ok = false;
    }
    if (!ok) continue;
    if (r.method != method) {
      if (m.allow.find(r.method) == std::string::npos)
        m.allow += (m.allow.empty() ? "" : ", ") + r.method;
      continue;
    }
    if (score <= best) continue;
    best = score;
    m.route = &r;
    m.params.clear();
    for (std::size_t i = 0; i < segs.size(); ++i)
      if (is_param(r.segments[i]))
        m.params.emplace_back(r.segments[i].substr(1, r.segments[i].size() - 2), segs[i]);
  }
  m.wrong_method = !m.route && !m.allow.empty();
  return m;
}

}  // namespace huying::server
