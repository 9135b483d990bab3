// Engine: the one owner of live domain state. Every open order lives here, on
// one Asio strand; commands are decided by the core, applied, handed to the
// store, and answered only after the store committed them.
//
// No Asio types in this header (pimpl): include it anywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/store.hpp"
#include "dispatcher/core/clock.hpp"
#include "dispatcher/core/lifecycle.hpp"
#include "dispatcher/core/routing.hpp"

namespace boost::asio {
class io_context;
}

namespace huying::engine {

struct Request {
  core::Command cmd;
  core::Actor actor;
  std::string number;           // the order acted on (empty for create)
  std::string idempotency_key;  // create only: a retry returns the first result
  // Optimistic concurrency: when set, the command is refused (RejectCode::stale,
  // with the current order in the reply) unless the order is at this version.
  std::optional<std::uint32_t> expected_version;
};

// The result of a command. Holds the citizen's contact in clear: the server
// redacts it by role before anything leaves the process.
struct Reply {
  std::optional<core::Rejection> rejection;  // set when refused; nothing changed
  core::WorkOrder order;                     // the order after the command (the current
                                             // one on a stale-version rejection)
  std::vector<core::Event> events;           // what the command appended to this order
  std::vector<std::string> also_changed;     // other orders changed in the same commit
  bool replayed = false;                     // an idempotent retry: nothing new
  // `order` as the store keeps it (core::to_json, serialised), when the
  // store handed it back: a reply may use it instead of serialising again.
  std::string order_doc;
  bool ok() const { return !rejection; }
};

using ReplyHandler = std::function<void(Reply)>;

// Figures for /metrics.
struct EngineStats {
  std::size_t open = 0;                          // open (and in-flight) orders held
  std::size_t queued = 0;                        // commands posted, not yet decided
  std::size_t timers = 0;                        // SLA timers pending
  std::map<std::string, std::size_t> by_status;  // open orders by state
};

// One order changed by a commit, for the queue streams: the order after the
// commit (the scope check reads it) and its message, serialised once,
// nothing personal in it ({"type": "order", "number", "status", ...}).
struct OrderNotice {
  core::WorkOrder order;
  std::shared_ptr<const std::string> frame;
};

// Who listens to the engine's live output (the WebSocket hub). Called on
// the engine strand after the commit: be quick.
class Feed {
 public:
  virtual ~Feed() = default;
  // A board delta ({"type": "delta", "seq", ...}), serialised once. At most
  // ten a second.
  virtual void board_delta(std::shared_ptr<const std::string> frame, std::uint64_t seq) = 0;
  // False: the engine skips making order notices.
  virtual bool wants_orders() const = 0;
  virtual void orders_changed(std::vector<std::shared_ptr<const OrderNotice>> notices) = 0;
};

struct EngineOptions {
  const core::Clock* clock = nullptr;    // REQUIRES: non-null, outlives the engine
  const core::SlaPolicy* sla = nullptr;  // REQUIRES: non-null, outlives the engine
  // Routing, escalation and the district's departments. Null: no routing
  // proposals, no escalation, any department id accepted.
  std::shared_ptr<const core::RuleSet> rules;
};

class Engine {
 public:
  Engine(boost::asio::io_context& ioc, db::Store& store, EngineOptions opts);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads every open order and the numbering state from the store. Call once,
  // before execute(). Throws on a store error.
  void start();
  // The same in the background, without waiting: commands are decided from
  // the start (an open order not loaded yet is read from the store when a
  // command needs it, and the loader's older copy is then dropped); SLA
  // timers of an order run from when it is in. `done` runs on the strand
  // once all are loaded, or with the exception that stopped the load.
  // REQUIRES: the io_context is (or will be) running.
  void start_async(std::function<void(std::exception_ptr)> done);
  // True once the open orders are loaded.
  bool loaded() const;
  // Stops: later commands are refused, the SLA timer is cancelled (so the
  // io_context can run out of work), and everything already handed to the
  // store is committed and answered before it returns, so no completion
  // outlives the engine. Call before the io_context stops. Blocks;
  // REQUIRES: the io_context is running (on another thread).
  void stop();
  // Waits until every command and timer batch posted so far is decided,
  // committed and answered (tests and simulations wait on this instead of
  // sleeping). Blocks; REQUIRES: the io_context is running on another thread.
  void sync();
  // Checks the timers now (after a test or simulation moved its clock).
  void poke();
  // The earliest pending timer instant (0 = none). Blocks; REQUIRES: the
  // io_context is running on another thread (else it waits for ever).
  core::Millis next_timer();

  // Thread-safe. Decides and applies on the engine strand; `done` runs on the
  // strand after the events are durably committed (or at once on rejection),
  // except for a retried create already in the store: that one is answered
  // at once on the calling thread. `done` should be quick: the strand is the
  // engine's one lane.
  void execute(Request req, ReplyHandler done);

  // Swaps the whole rule set at once (config reload). Thread-safe. Orders
  // keep the routing decision they already got.
  void set_rules(std::shared_ptr<const core::RuleSet> rules);

  // The live output's listener (null: none). Thread-safe.
  void set_feed(std::shared_ptr<Feed> feed);
  // The live board's snapshot, serialised, with its sequence number: any
  // pending delta is published first, so the snapshot is exactly the state
  // after delta `seq`. `done` runs on the engine strand.
  void board_snapshot(
      std::function<void(std::shared_ptr<const std::string> frame, std::uint64_t seq)> done);

  // Approximate figures, thread-safe.
  std::size_t open_orders() const;
  // Figures for /metrics; `done` runs on the engine strand.
  void stats(std::function<void(EngineStats)> done);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace huying::engine
