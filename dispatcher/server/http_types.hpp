// A request and a response as the API handlers see them: plain structs, no
// Beast types, so handlers compile fast and the request decoding can be
// fuzzed on its own (tests/fuzz). http_session converts at the edge.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace huying::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received, e.g. /api/v1/orders?status=claimed
  std::string path;    // percent-decoded path, without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::string body;
  // The headers the API reads (others are not kept).
  std::string content_type;
  std::string authorization;
  std::string cookie;
  std::string idempotency_key;
  std::string if_match;
  std::string api_key;  // X-Api-Key (platform links)
  std::string remote;   // the peer's address

  // The first value of a query parameter, or nullptr.
  const std::string* param(std::string_view name) const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones (Set-Cookie, ...)
  // Optional: fills in the body (and headers) later, on the connection's own
  // strand, so an answer made on a busy thread (the engine's) costs that
  // thread nothing but a move. Runs once, before the answer is written.
  std::function<void(HttpResponse&)> finish;
};

using Respond = std::function<void(HttpResponse)>;

HttpResponse json_response(unsigned status, const boost::json::value& body);
// The one error shape: {"error": {"code", "message", "field"}}.
HttpResponse error_response(unsigned status, std::string_view code, std::string message,
                            std::string field = {});

// Splits a request target into a decoded path and query. Returns the
// reason when the target is malformed (bad percent escape, a NUL, invalid
// UTF-8, not starting with '/'); `out` is then unspecified.
std::optional<std::string> decode_target(std::string_view target, HttpRequest& out);

// Decodes application/x-www-form-urlencoded text (Open311's POST bodies).
std::optional<std::string> decode_form(std::string_view body,
                                       std::vector<std::pair<std::string, std::string>>& out);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool valid_utf8(std::string_view s);

}  // namespace huying::server
