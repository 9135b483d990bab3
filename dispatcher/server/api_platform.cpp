// 跨域转办 between platforms, the receiving side: another platform's outbox
// (app/outbox) delivers here, authenticated by the api_key both sides of the
// link share (deployment.yaml platforms). Exactly once: a transfer's order is
// created under an idempotency key made from the sender and its reference,
// and a result already recorded is acknowledged again, not recorded twice.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "dispatcher/core/command_args.hpp"
#include "dispatcher/core/order.hpp"
#include "dispatcher/server/api.hpp"

namespace huying::server {

namespace json = boost::json;

namespace {

// The platform whose key the request carries, or null.
const core::Platform* sender(const core::RuleSet* rules, const std::string& key) {
  if (!rules || key.empty()) return nullptr;
  for (const auto& p : rules->deployment->platforms)
    if (!p.api_key.empty() && p.api_key.size() == key.size() && p.api_key == key) return &p;
  return nullptr;
}

// A delivery from another platform: who sent it (kept alive with its rule
// set) and the body; nullopt after answering 401 or 400.
struct Delivery {
  std::shared_ptr<const core::RuleSet> rules;
  const core::Platform* from = nullptr;
  json::object body;
};
std::optional<Delivery> delivery(const Call& c, std::shared_ptr<const core::RuleSet> rules) {
  const core::Platform* from = sender(rules.get(), c.req->api_key);
  if (!from) {
    c.respond(error_response(401, "unauthenticated", "X-Api-Key names no platform"));
    return std::nullopt;
  }
  auto body = api::body_object(c);
  if (!body) return std::nullopt;
  return Delivery{std::move(rules), from, std::move(*body)};
}

}  // namespace

void Api::add_platform_routes() {
  // Another platform hands us an order.
  router_.add("POST", "/api/v1/platform/transfers", kPublic, [this](Call c) {
    auto d = delivery(c, this->rules());
    if (!d) return;
    const core::Platform* from = d->from;
    core::Args a(d->body);
    const std::string ref = a.str("reference", true, 64);
    const std::string category = a.str("category", true);
    const std::string description = a.str("description", true, core::kMaxText);
    const std::string kind = a.str("kind", false);
    const std::string urgency = a.str("urgency", false);
    const std::string title = a.str("title", false);
    const std::string address = a.str("address", false);
    const std::string reason = a.str("reason", false, core::kMaxText);
    const json::object* citizen = a.object("citizen", false);
    if (a.error()) return c.respond(api::rejection(*a.error()));
    json::object args{{"channel", "cross_domain"},
                      {"kind", kind.empty() ? "complaint" : kind},
                      {"category", category},
                      {"description",
                       reason.empty() ? description : description + "（转办说明：" + reason + "）"},
                      {"origin", {{"platform", from->code}, {"reference", ref}}}};
    if (!urgency.empty()) args["urgency"] = urgency;
    if (!title.empty()) args["title"] = title;
    // Their address may mean nothing in our gazetteer: the desk places it.
    args["address"] =
        address.empty() ? std::string("（") + from->name + "转来，地址待核实）" : address;
    if (citizen) args["citizen"] = *citizen;
    engine::Request req;
    req.cmd = {core::CommandType::create, std::move(args)};
    req.actor = {"platform:" + from->code, core::Role::system, "", ""};
    // Exactly once, whatever key the sender's retry carries.
    req.idempotency_key = "xfer:" + from->code + ":" + ref;
    s_.engine.execute(std::move(req), [c, code = from->code, ref](engine::Reply r) {
      if (!r.ok()) return c.respond(api::rejection(*r.rejection));
      spdlog::info("platform: {} from {} ({}) logged as {}", r.replayed ? "repeat" : "transfer",
                   code, ref, r.order.number);
      c.respond(
          json_response(201, json::object{{"number", r.order.number}, {"replayed", r.replayed}}));
    });
  });

  // The result of an order we handed to that platform: back for 回访.
  router_.add("POST", "/api/v1/platform/results", kPublic, [this](Call c) {
    auto d = delivery(c, this->rules());
    if (!d) return;
    const core::Platform* from = d->from;
    core::Args a(d->body);
    const std::string ours = a.str("reference", true, 64);
    const std::string theirs = a.str("number", false, 64);
    const std::string result = a.str("result", true, core::kMaxText);
    if (a.error()) return c.respond(api::rejection(*a.error()));
    auto h = s_.store.get_order(ours);
    if (!h || h->order.platform != from->code)
      return c.respond(error_response(
          404, "not_found", "no order " + ours + " was transferred to " + from->code, "reference"));
    if (h->order.status != core::Status::transferred_out) {
      // Recorded before (a retried delivery): acknowledged again, nothing new.
      const bool recorded = std::any_of(h->events.begin(), h->events.end(), [](const auto& e) {
        return e.type == core::EventType::external_result;
      });
      if (recorded)
        return c.respond(json_response(200, json::object{{"number", ours}, {"replayed", true}}));
      return c.respond(
          error_response(409, "invalid_state", "order " + ours + " is not waiting for a result"));
    }
    engine::Request req;
    req.cmd = {core::CommandType::record_external_result,
               {{"result", result}, {"reference", theirs}}};
    req.actor = {"platform:" + from->code, core::Role::system, "", ""};
    req.number = ours;
    s_.engine.execute(std::move(req), [c, ours](engine::Reply r) {
      // Two deliveries of the same result at once: the second finds it recorded.
      if (!r.ok() && r.rejection->code == core::RejectCode::invalid_state)
        return c.respond(json_response(200, json::object{{"number", ours}, {"replayed", true}}));
      if (!r.ok()) return c.respond(api::rejection(*r.rejection));
      c.respond(json_response(200, json::object{{"number", ours}, {"replayed", false}}));
    });
  });
}

}  // namespace huying::server
