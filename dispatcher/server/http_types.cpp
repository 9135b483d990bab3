#include "dispatcher/server/http_types.hpp"

#include <boost/json.hpp>
#include <cstdint>

namespace huying::server {

namespace json = boost::json;

const std::string* HttpRequest::param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return &v;
  return nullptr;
}

HttpResponse json_response(unsigned status, const json::value& body) {
  HttpResponse r;
  r.status = status;
  r.body = json::serialize(body);
  return r;
}

HttpResponse error_response(unsigned status, std::string_view code, std::string message,
                            std::string field) {
  json::object e{{"code", code}, {"message", std::move(message)}};
  e["field"] = field.empty() ? json::value(nullptr) : json::value(field);
  return json_response(status, json::object{{"error", std::move(e)}});
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in`; '+' is a space when `plus` (query and form text).
std::optional<std::string> unescape(std::string_view in, bool plus, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return "a '%' escape is cut short";
      int h = hex(in[i + 1]), l = hex(in[i + 2]);
      if (h < 0 || l < 0) return "a '%' escape is not two hex digits";
      out += static_cast<char>(h * 16 + l);
      i += 2;
    } else if (c == '+' && plus) {
      out += ' ';
    } else {
      out += c;
    }
  }
  if (out.find('\0') != std::string::npos) return "a NUL character";
  if (!valid_utf8(out)) return "invalid UTF-8";
  return std::nullopt;
}

std::optional<std::string> split_pairs(std::string_view text,
                                       std::vector<std::pair<std::string, std::string>>& out) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view part = text.substr(pos, amp - pos);
    if (!part.empty()) {
      std::size_t eq = part.find('=');
      std::string k, v;
      if (auto e = unescape(part.substr(0, eq), true, k)) return e;
      if (eq != std::string_view::npos)
        if (auto e = unescape(part.substr(eq + 1), true, v)) return e;
      if (out.size() >= 100) return "more than 100 parameters";
      out.emplace_back(std::move(k), std::move(v));
    }
    pos = amp + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> decode_target(std::string_view target, HttpRequest& out) {
  if (target.empty() || target.front() != '/') return "the target must start with '/'";
  std::size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (auto e = unescape(raw_path, false, out.path)) return "path: " + *e;
  out.query.clear();
  if (q != std::string_view::npos)
    if (auto e = split_pairs(target.substr(q + 1), out.query)) return "query: " + *e;
  return std::nullopt;
}

std::optional<std::string> decode_form(std::string_view body,
                                       std::vector<std::pair<std::string, std::string>>& out) {
  return split_pairs(body, out);
}

}  // namespace huying::server
