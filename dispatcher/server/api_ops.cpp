// For the engineer on call: /healthz and /metrics (Prometheus text format).
#include <boost/json.hpp>

#include "dispatcher/server/api.hpp"

namespace huying::server {

namespace json = boost::json;

void Api::add_ops_routes() {
  // The store's kind and schema version, read once (the store reports them).
  const auto settings = s_.store.settings();
  auto get = [&](const char* k, const char* dflt) {
    auto it = settings.find(k);
    return it == settings.end() ? std::string(dflt) : it->second;
  };
  const std::string store_kind = get("store", "sqlite");
  const int schema = std::stoi(get("schema_version", "0"));
  // PostgreSQL: the district's lease this process holds (a standby answers
  // from server/standby.cpp instead).
  const std::string lease = get("lease", "");
  router_.add("GET", "/healthz", kPublic, [this, store_kind, schema, lease](Call c) {
    // A read-only replica loads nothing: it answers from the store.
    const bool loaded = s_.read_only || s_.engine.loaded();
    json::object body{{"status", loaded ? "ok" : "loading"},
                      {"role", s_.read_only ? "read-only" : "active"},
                      {"loading", !loaded},
                      {"open_orders", s_.engine.open_orders()},
                      {"store", store_kind},
                      {"schema", schema}};
    if (!lease.empty()) body["lease"] = lease;
    c.respond(json_response(200, body));
  });
  router_.add("HEAD", "/healthz", kPublic, [](Call c) { c.respond(json_response(200, nullptr)); });
  // For a load balancer in front of a dispatcher and its standby: 200 only
  // where work is taken (active, orders loaded); a standby answers 503.
  router_.add("GET", "/readyz", kPublic, [this](Call c) {
    // A read-only replica takes no work either.
    const bool ready = !s_.read_only && s_.engine.loaded();
    c.respond(json_response(
        ready ? 200 : 503,
        json::object{{"ready", ready}, {"role", s_.read_only ? "read-only" : "active"}}));
  });

  router_.add("HEAD", "/readyz", kPublic, [this](Call c) {
    const bool ready = !s_.read_only && s_.engine.loaded();
    c.respond(json_response(ready ? 200 : 503, nullptr));
  });

  router_.add("GET", "/metrics", kPublic, [this](Call c) {
    s_.engine.stats([this, c](engine::EngineStats st) {
      std::string out;
      auto gauge = [&](const char* name, const char* help, double v) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name +
               " " + std::to_string(v) + "\n";
      };
      auto counter = [&](const char* name, const char* help, std::uint64_t v) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" +
               name + " " + std::to_string(v) + "\n";
      };
      out +=
          "# HELP huying_orders_open Open orders held by the engine, by state.\n"
          "# TYPE huying_orders_open gauge\n";
      for (auto s : core::EnumNames<core::Status>::names) {
        if (!core::is_open(*core::parse<core::Status>(s))) continue;
        auto it = st.by_status.find(std::string(s));
        out += "huying_orders_open{status=\"" + std::string(s) + "\"} " +
               std::to_string(it == st.by_status.end() ? 0 : it->second) + "\n";
      }
      gauge("huying_active",
            "1 when this dispatcher holds its district's lease and takes work, 0 while it "
            "waits as standby.",
            s_.read_only ? 0 : 1);
      gauge("huying_engine_queue_depth", "Commands posted to the engine, not yet decided.",
            static_cast<double>(st.queued));
      gauge("huying_timer_queue_size", "SLA timers pending.", static_cast<double>(st.timers));
      const auto ss = s_.store.stats();
      counter("huying_store_commits_total", "Store transactions committed.", ss.transactions);
      counter("huying_store_batches_total",
              "Batches committed (a transaction carries one or more: the batch size is "
              "batches/commits).",
              ss.batches);
      counter("huying_store_events_total", "Order events committed.", ss.events);
      gauge("huying_sessions_open", "Signed-in sessions.",
            static_cast<double>(auth_.open_sessions()));
      gauge("huying_http_connections_open", "HTTP connections open.",
            static_cast<double>(connections.load()));
      // 跨域转办 deliveries waiting (retrying) or refused by the other side.
      long pending = 0, failed = 0;
      for (const auto& [key, value] : s_.store.list_records("outbox"))
        (value.find("\"state\":\"failed\"") != std::string::npos ? failed : pending) += 1;
      out +=
          "# HELP huying_outbox_items Deliveries to other platforms not yet acknowledged, by "
          "state.\n# TYPE huying_outbox_items gauge\nhuying_outbox_items{state=\"pending\"} " +
          std::to_string(pending) + "\nhuying_outbox_items{state=\"failed\"} " +
          std::to_string(failed) + "\n";
      // The live streams.
      auto& sc = hub_->counters();
      out +=
          "# HELP huying_ws_clients WebSocket clients connected, by stream.\n"
          "# TYPE huying_ws_clients gauge\n";
      for (auto k : {StreamKind::board, StreamKind::queue, StreamKind::replay})
        out += std::string("huying_ws_clients{stream=\"") + stream_name(k) + "\"} " +
               std::to_string(sc.clients[static_cast<int>(k)].load()) + "\n";
      counter("huying_ws_frames_total", "WebSocket frames sent.", sc.frames.load());
      counter("huying_ws_bytes_total", "WebSocket payload bytes sent.", sc.bytes.load());
      counter("huying_ws_forced_snapshots_total",
              "Board clients too far behind, cut back to a fresh snapshot.",
              sc.forced_snapshots.load());
      counter("huying_ws_resyncs_total", "Queue clients too far behind, told to reload.",
              sc.resyncs.load());
      gauge("huying_ws_queued_bytes", "Bytes waiting in the WebSocket clients' write queues.",
            static_cast<double>(sc.queued_bytes.load()));
      out += metrics_.render();
      HttpResponse res;
      res.content_type = "text/plain; version=0.0.4; charset=utf-8";
      res.body = std::move(out);
      c.respond(std::move(res));
    });
  });
}

}  // namespace huying::server
