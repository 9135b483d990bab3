// The API's routing table: method + path pattern ("/api/v1/orders/{no}") to
// a handler, with the roles allowed to call it. No Beast types.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/core/types.hpp"
#include "dispatcher/server/http_types.hpp"

namespace huying::server {

// The signed-in caller of a request.
struct Principal {
  core::Actor actor;
  std::string name;        // display name
  std::string session_id;  // the session's key (a hash of the token, never the token)
};

// One request being handled. Handlers may answer later (after a commit):
// `respond` is safe to call from any thread, exactly once.
struct Call {
  std::shared_ptr<const HttpRequest> req;
  std::vector<std::pair<std::string, std::string>> params;  // from the pattern
  std::optional<Principal> who;                             // set on signed-in routes
  Respond respond;

  const std::string& param(std::string_view name) const;
  const core::Actor& actor() const { return who->actor; }
};

using Handler = std::function<void(Call)>;

// A set of roles (bits of core::Role).
using RoleSet = std::uint32_t;
constexpr RoleSet role_bit(core::Role r) { return RoleSet{1} << static_cast<unsigned>(r); }
constexpr RoleSet kAnyRole = ~RoleSet{0};
constexpr RoleSet kPublic = 0;  // no sign-in needed
RoleSet roles(std::initializer_list<core::Role> rs);

struct Route {
  std::string method;
  std::string pattern;  // for metrics and logs: never the concrete path
  std::vector<std::string> segments;
  RoleSet allowed = kAnyRole;
  Handler handler;
};

struct Match {
  const Route* route = nullptr;  // null: no route
  bool wrong_method = false;     // the path exists with another method
  std::string allow;             // the methods the path has (for 405)
  std::vector<std::pair<std::string, std::string>> params;
};

class Router {
 public:
  void add(std::string method, std::string pattern, RoleSet allowed, Handler h);
  Match match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace huying::server
