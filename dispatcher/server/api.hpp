// The REST API under /api/v1 (docs/api.md): one routing table, and the
// handlers, one file per resource (api_orders.cpp, api_console.cpp, ...).
// Api::handle signs the caller in, checks their role against the route,
// limits their rate, answers errors in one JSON shape, logs one line per
// request and feeds the metrics. No Beast types: http_session converts.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/store.hpp"
#include "dispatcher/core/clock.hpp"
#include "dispatcher/core/routing.hpp"
#include "dispatcher/engine/engine.hpp"
#include "dispatcher/server/auth.hpp"
#include "dispatcher/server/http_types.hpp"
#include "dispatcher/server/metrics.hpp"
#include "dispatcher/server/router.hpp"
#include "dispatcher/server/static_site.hpp"
#include "dispatcher/server/ws_hub.hpp"

namespace huying::server {

struct ReloadResult {
  bool ok = false;
  std::string version;              // the config version now live
  std::vector<std::string> errors;  // "file:line: reason", when refused
};

// What the API reaches. Everything here outlives the Api.
struct ApiServices {
  engine::Engine& engine;
  db::Store& store;
  const core::Clock& clock;
  // The live rule set (null without a config); swapped on reload.
  std::function<std::shared_ptr<const core::RuleSet>()> rules;
  // Reloads the config (admin); null when the server has none.
  std::function<ReloadResult()> reload;
  bool read_only = false;  // see Services::read_only
};

class Api {
 public:
  Api(ApiServices services, AuthOptions auth);
  ~Api();

  // Answers one request; `respond` may run on another thread, exactly once.
  void handle(std::shared_ptr<HttpRequest> req, Respond respond);

  Auth& auth() { return auth_; }
  // The pages (web/dist), answered for GET paths no route takes.
  void set_site(StaticSite site) { site_ = std::move(site); }
  // The live streams (the engine's feed).
  const std::shared_ptr<Hub>& hub() { return hub_; }
  Metrics& metrics() { return metrics_; }
  ApiServices& services() { return s_; }
  std::shared_ptr<const core::RuleSet> rules() const { return s_.rules ? s_.rules() : nullptr; }
  // Called when the config changed: users.yaml's users are taken again.
  void on_rules_changed();
  // Stops feeding the live streams. Server::stop() calls it while the
  // io_context still runs; the destructor calls it only if that has not
  // happened (posting to the engine's strand from a connection destroyed in
  // the io_context's own shutdown would deadlock there).
  void detach();
  // Connections open now (http_session keeps it).
  std::atomic<long> connections{0};
  // Requests taken and not yet answered (a graceful stop waits for them).
  std::atomic<long> in_flight{0};

 private:
  std::atomic<bool> detached_{false};
  void add_routes();
  void add_order_routes();
  void add_console_routes();
  void add_reference_routes();
  void add_admin_routes();
  void add_ops_routes();
  void add_open311_routes();
  void add_platform_routes();
  void add_board_routes();

  ApiServices s_;
  Auth auth_;
  Metrics metrics_;
  std::shared_ptr<Hub> hub_;
  StaticSite site_;
  Router router_;
};

// Helpers shared by the handler files.
namespace api {

// The request body as a JSON object, or nullopt after answering 400/415.
std::optional<boost::json::object> body_object(const Call& c);
// The HTTP status for a domain rejection.
unsigned status_of(core::RejectCode code);
std::string_view code_name(core::RejectCode code);
HttpResponse rejection(const core::Rejection& r);
// The order as `a` may see it, as JSON, with the signals the pages need.
boost::json::object order_json(const core::WorkOrder& o, const core::Actor& a, core::Millis now,
                               boost::json::storage_ptr sp = {});
// order_json, serialised. `doc`, when given, is the store's serialised
// core::to_json(o) (engine::Reply::order_doc): reused as it is for the roles
// that see the order unredacted instead of building the DOM again.
std::string order_text(const core::WorkOrder& o, const core::Actor& a, core::Millis now,
                       std::string doc = {});
// Decimal digits only, as an integer in [lo, hi]; nullopt otherwise.
std::optional<std::int64_t> parse_int(std::string_view v, std::int64_t lo, std::int64_t hi);
// A query parameter as an integer in [lo, hi]; nullopt when absent; sets
// `bad` (the field) when malformed.
std::optional<std::int64_t> int_param(const HttpRequest& r, std::string_view name, std::int64_t lo,
                                      std::int64_t hi, std::string& bad);
// "2025-10-01" (Asia/Shanghai midnight), "2025-10-01T10:00" with optional
// seconds and zone (Z, +08:00; none: Asia/Shanghai), or epoch milliseconds.
std::optional<core::Millis> time_param(const std::string& s);

}  // namespace api

}  // namespace huying::server
