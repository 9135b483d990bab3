#include "dispatcher/engine/engine.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <unordered_map>

#include "dispatcher/core/order_number.hpp"

namespace huying::engine {

namespace asio = boost::asio;
using core::WorkOrder;

struct Engine::Impl : std::enable_shared_from_this<Engine::Impl> {
  Impl(asio::io_context& ioc, db::Store& s, EngineOptions o)
      : strand(asio::make_strand(ioc)), store(s), opts(o) {}

  asio::strand<asio::io_context::executor_type> strand;
  db::Store& store;
  EngineOptions opts;

  // Owned by the strand.
  struct Live {
    WorkOrder order;
    int pending = 0;  // submitted, not yet committed
  };
  std::unordered_map<std::string, Live> orders;            // open (and in-flight) orders
  std::unordered_map<std::string, std::string> idem_keys;  // key -> number
  core::OrderNumbering numbering;
  std::int64_t last_id = 0;
  std::atomic<std::size_t> open_count{0};

  void start() {
    for (auto& o : store.load_open_orders()) {
      std::string n = o.number;
      orders.emplace(std::move(n), Live{std::move(o), 0});
    }
    numbering.observe(store.max_order_number());
    last_id = store.max_order_id();
    open_count = orders.size();
    spdlog::info("engine: loaded {} open orders, last id {}", orders.size(), last_id);
  }

  // Looks an order up: live state first, else the store (closed orders).
  std::optional<WorkOrder> find(const std::string& number) {
    if (auto it = orders.find(number); it != orders.end()) return it->second.order;
    if (auto h = store.get_order(number)) return std::move(h->order);
    return std::nullopt;
  }

  // Answers after everything queued so far is committed (the writer is FIFO).
  void answer_after_commit(Reply r, ReplyHandler done) {
    auto self = shared_from_this();
    store.submit({}, [self, r = std::move(r), done = std::move(done)](const db::CommitStatus& st) mutable {
      if (!st.ok)
        r.rejection = core::Rejection{core::RejectCode::internal, "", "not stored: " + st.error};
      asio::post(self->strand, [r = std::move(r), done = std::move(done)]() mutable { done(std::move(r)); });
    });
  }

  void execute(Request req, ReplyHandler done) {
    const core::Millis now = opts.clock->now();
    Reply reply;

    // Idempotent create: a retry gets the first order back.
    if (req.cmd.type == core::CommandType::create && !req.idempotency_key.empty()) {
      std::optional<std::string> known;
      if (auto it = idem_keys.find(req.idempotency_key); it != idem_keys.end()) known = it->second;
      else known = store.find_idempotency_key(req.idempotency_key);
      if (known) {
        if (auto o = find(*known)) {
          reply.order = std::move(*o);
          reply.replayed = true;
          answer_after_commit(std::move(reply), std::move(done));
          return;
        }
      }
    }

    std::optional<WorkOrder> current;
    if (req.cmd.type != core::CommandType::create) {
      current = find(req.number);
      if (!current) {
        reply.rejection = core::Rejection{core::RejectCode::not_found, "number",
                                          "no order numbered " + req.number};
        done(std::move(reply));
        return;
      }
    }
    if (req.cmd.type == core::CommandType::merge) {
      // The target must be another open order.
      auto* into = req.cmd.args.if_contains("into");
      if (into && into->is_string()) {
        auto it = orders.find(std::string(into->get_string()));
        if (it == orders.end() || !it->second.order.open()) {
          reply.rejection = core::Rejection{core::RejectCode::invalid_field, "into",
                                            "into must name another open order"};
          done(std::move(reply));
          return;
        }
      }
    }

    core::DecideContext ctx;
    ctx.now = now;
    ctx.sla = opts.sla;
    ctx.allocate = [&] {
      return std::pair{++last_id, numbering.next(now)};
    };
    core::Decision d = core::decide(current ? &*current : nullptr, req.cmd, req.actor, ctx);
    if (!d.ok()) {
      reply.rejection = std::move(d.rejection);
      done(std::move(reply));
      return;
    }

    WorkOrder order = current ? std::move(*current) : WorkOrder{};
    for (const auto& e : d.events) core::apply(order, e);
    const std::string number = order.number;
    db::Batch batch;
    batch.changes.push_back({order, d.events});
    const bool keyed = req.cmd.type == core::CommandType::create && !req.idempotency_key.empty();
    if (keyed) batch.idempotency_key = req.idempotency_key;
    reply.order = order;
    reply.events = d.events;

    // Hand the batch to the writer first; memory changes only once that did
    // not throw. The completion runs on this strand, after this handler.
    auto self = shared_from_this();
    store.submit(std::move(batch), [self, number, reply = std::move(reply),
                                    done = std::move(done)](const db::CommitStatus& st) mutable {
      asio::post(self->strand, [self, number, st, reply = std::move(reply),
                                done = std::move(done)]() mutable {
        self->committed(number);
        if (!st.ok) {
          // Only reachable when the fatal handler returned (tests): never ack.
          reply.rejection = core::Rejection{core::RejectCode::internal, "",
                                            "not stored: " + st.error};
        }
        done(std::move(reply));
      });
    });

    const bool was_live = orders.count(number) > 0;
    auto& live = orders[number];
    live.order = std::move(order);
    ++live.pending;
    if (!was_live) ++open_count;
    if (keyed) idem_keys.emplace(req.idempotency_key, number);
    for (const auto& e : d.events)
      spdlog::info("order {} seq {} {} by {} ({}) -> {}", number, e.seq, core::name(e.type),
                   e.actor.user, core::name(e.actor.role), core::name(live.order.status));
  }

  // On the strand, after a commit: drop orders that are finished and settled.
  void committed(const std::string& number) {
    auto it = orders.find(number);
    if (it == orders.end()) return;
    if (--it->second.pending == 0 && !it->second.order.open()) {
      orders.erase(it);
      --open_count;
    }
  }
};

Engine::Engine(asio::io_context& ioc, db::Store& store, EngineOptions opts)
    : impl_(std::make_shared<Impl>(ioc, store, opts)) {}

Engine::~Engine() = default;

void Engine::start() { impl_->start(); }

void Engine::execute(Request req, ReplyHandler done) {
  asio::post(impl_->strand, [impl = impl_, req = std::move(req), done = std::move(done)]() mutable {
    // Answer exactly once, even if deciding throws (a store read failed).
    auto slot = std::make_shared<ReplyHandler>(std::move(done));
    auto once = [slot](Reply r) {
      if (!*slot) return;
      auto f = std::move(*slot);
      *slot = nullptr;
      f(std::move(r));
    };
    try {
      impl->execute(std::move(req), once);
    } catch (const std::exception& e) {
      spdlog::error("engine: command failed: {}", e.what());
      Reply r;
      r.rejection = core::Rejection{core::RejectCode::internal, "", "internal error"};
      once(std::move(r));
    }
  });
}

std::size_t Engine::open_orders() const { return impl_->open_count.load(); }

}  // namespace huying::engine
