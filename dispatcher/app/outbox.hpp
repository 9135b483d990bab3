// The outbox of 跨域转办: sends what the engine committed for other
// platforms (core/outbox.hpp), over HTTP, with retries and backoff, until
// the other side acknowledges it. Items live in the store (records of kind
// "outbox"), so a restart of either side loses nothing: the sender resumes
// from the store, and the receiver's idempotency key (the item's key) makes
// a repeated delivery a no-op there.
//
// A delivered transfer is acknowledged here (external_ack with the other
// platform's order number); a delivered result needs nothing more. A
// refusal (4xx) is not retried: it is logged, kept as failed, and counted.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "db/store.hpp"
#include "dispatcher/core/clock.hpp"
#include "dispatcher/core/routing.hpp"
#include "dispatcher/engine/engine.hpp"

namespace huying::app {

struct OutboxOptions {
  std::chrono::milliseconds poll{200};         // how often the store is looked at
  std::chrono::milliseconds first_retry{200};  // backoff doubles from this ...
  std::chrono::milliseconds max_retry{30000};  // ... up to this
};

class Outbox {
 public:
  Outbox(db::Store& store, engine::Engine& engine, const core::Clock& clock,
         std::function<std::shared_ptr<const core::RuleSet>()> rules, OutboxOptions opts = {});
  ~Outbox();  // stops and joins
  void stop();

 private:
  void run();
  void deliver_due();

  db::Store& store_;
  engine::Engine& engine_;
  const core::Clock& clock_;
  std::function<std::shared_ptr<const core::RuleSet>()> rules_;
  OutboxOptions opts_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace huying::app
