#include "dispatcher/app/outbox.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <future>
#include <map>

#include "dispatcher/app/http_client.hpp"
#include "dispatcher/core/order.hpp"

namespace huying::app {

namespace json = boost::json;

namespace {
std::string order_of(const json::object& item) { return core::str_at(item, "order"); }
}  // namespace

Outbox::Outbox(db::Store& store, engine::Engine& engine, const core::Clock& clock,
               std::function<std::shared_ptr<const core::RuleSet>()> rules, OutboxOptions opts)
    : store_(store), engine_(engine), clock_(clock), rules_(std::move(rules)), opts_(opts) {
  thread_ = std::thread([this] { run(); });
}

Outbox::~Outbox() { stop(); }

void Outbox::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void Outbox::run() {
  while (!stop_) {
    try {
      deliver_due();
    } catch (const std::exception& e) {
      spdlog::error("outbox: {}", e.what());
    }
    for (auto waited = std::chrono::milliseconds(0); waited < opts_.poll && !stop_;
         waited += std::chrono::milliseconds(50))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void Outbox::deliver_due() {
  auto rules = rules_();
  if (!rules) return;
  // Steady time for backoff: the SLA clock may run fast in a demo.
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::map<std::string, std::unique_ptr<HttpClient>> clients;
  for (auto& [key, text] : store_.list_records("outbox")) {
    if (stop_) return;
    json::object item;
    try {
      item = json::parse(text).as_object();
    } catch (const std::exception&) {
      spdlog::error("outbox: item {} is unreadable; left in place", key);
      continue;
    }
    if (core::str_at(item, "state") == "failed") continue;
    if (core::int_at(item, "next_at") > now) continue;
    const std::string platform = core::str_at(item, "platform");
    const core::Platform* p = nullptr;
    for (const auto& pl : rules->deployment->platforms)
      if (pl.code == platform) p = &pl;
    if (!p || p->base_url.empty()) continue;  // the config lost it: wait for it to come back
    if (p->base_url.rfind("http://", 0) != 0) {
      // This build speaks plain HTTP (a TLS-terminating proxy in front of
      // the partner, or a private link): refuse clearly rather than retry.
      item["state"] = "failed";
      item["error"] = "base_url " + p->base_url + " is not http://; deliver by hand";
      spdlog::error("outbox: {} to {}: base_url {} is not http://; not sent", order_of(item),
                    p->code, p->base_url);
      db::Batch fb;
      fb.records.push_back({"outbox", key, json::serialize(item)});
      store_.submit(std::move(fb), nullptr);
      continue;
    }
    auto& client = clients[p->code];
    if (!client) client = std::make_unique<HttpClient>(p->base_url, std::chrono::seconds(10));
    const std::string type = core::str_at(item, "type");
    const std::string order = core::str_at(item, "order");
    auto r = client->request("POST", core::str_at(item, "path"), json::serialize(item.at("body")),
                             {{"Content-Type", "application/json"},
                              {"X-Api-Key", p->api_key},
                              {"Idempotency-Key", key}});
    db::Batch b;
    if (r.status / 100 == 2) {
      if (type == "transfer") {
        // Their order number, as our reference: acknowledged.
        std::string theirs;
        try {
          theirs = std::string(json::parse(r.body).at("number").as_string());
        } catch (const std::exception&) {
        }
        engine::Request req;
        req.cmd = {core::CommandType::external_ack, {{"reference", theirs}}};
        req.actor = {"platform:" + p->code, core::Role::system, "", ""};
        req.number = order;
        std::promise<engine::Reply> done;
        auto f = done.get_future();
        engine_.execute(std::move(req),
                        [&done](engine::Reply rep) { done.set_value(std::move(rep)); });
        auto rep = f.get();
        // Refused only when it is already acknowledged or answered: fine.
        if (!rep.ok())
          spdlog::info("outbox: {} delivered to {} as {}; ack: {}", order, p->code, theirs,
                       rep.rejection->reason);
      }
      spdlog::info("outbox: {} {} delivered to {}", type, order, p->code);
      b.records.push_back({"outbox", key, std::nullopt});
    } else {
      const auto attempts = core::int_at(item, "attempts") + 1;
      item["attempts"] = attempts;
      const bool refused = r.status >= 400 && r.status < 500 && r.status != 408 && r.status != 429;
      if (refused) {
        item["state"] = "failed";
        item["error"] = std::to_string(r.status) + " " + r.body.substr(0, 300);
        spdlog::error("outbox: {} {} refused by {}: {} {}; not retried", type, order, p->code,
                      r.status, r.body.substr(0, 200));
      } else {
        auto backoff = opts_.first_retry.count() << std::min<std::int64_t>(attempts - 1, 20);
        backoff = std::min<std::int64_t>(backoff, opts_.max_retry.count());
        item["next_at"] = now + backoff;
        item["error"] = r.status ? std::to_string(r.status) : r.error;
        if (attempts == 1 || attempts % 10 == 0)
          spdlog::warn("outbox: {} {} to {} not delivered ({}), attempt {}; retrying in {} ms",
                       type, order, p->code, r.status ? std::to_string(r.status) : r.error,
                       attempts, backoff);
      }
      b.records.push_back({"outbox", key, json::serialize(item)});
    }
    std::promise<void> stored;
    auto sf = stored.get_future();
    store_.submit(std::move(b), [&stored](const db::CommitStatus&) { stored.set_value(); });
    sf.wait();
  }
}

}  // namespace huying::app
