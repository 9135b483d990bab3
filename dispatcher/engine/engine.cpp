#include "dispatcher/engine/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json.hpp>
#include <deque>
#include <future>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "dispatcher/core/access.hpp"
#include "dispatcher/core/board.hpp"
#include "dispatcher/core/escalation.hpp"
#include "dispatcher/core/order_number.hpp"
#include "dispatcher/core/outbox.hpp"
#include "dispatcher/core/sla_clock.hpp"
#include "dispatcher/core/timer_queue.hpp"
#include "dispatcher/core/workflow.hpp"
#include "dispatcher/engine/reports.hpp"

namespace huying::engine {

namespace asio = boost::asio;
namespace json = boost::json;
using core::Event;
using core::EventType;
using core::WorkOrder;

namespace {
const core::Actor kSystem{"system", core::Role::system, "", ""};

}  // namespace

// A Bloom filter of the idempotency keys in the store: a create whose key is
// surely new skips the SQLite lookup. Lock-free: bits are only ever set
// (relaxed atomics; a key is inserted long before it could be needed here,
// see Engine::execute). A false positive costs one lookup, never a wrong answer.
class KeyFilter {
 public:
  explicit KeyFilter(std::size_t expected) {
    std::size_t bits = std::max<std::size_t>(std::size_t{1} << 23, expected * 10);
    words_ = std::vector<std::atomic<std::uint64_t>>((bits + 63) / 64);
  }
  void add(std::string_view key) {
    for_each_bit(key, [&](std::size_t w, std::uint64_t m) {
      words_[w].fetch_or(m, std::memory_order_relaxed);
      return true;
    });
  }
  bool may_contain(std::string_view key) const {
    return for_each_bit(key, [&](std::size_t w, std::uint64_t m) {
      return (words_[w].load(std::memory_order_relaxed) & m) != 0;
    });
  }

 private:
  template <class F>
  bool for_each_bit(std::string_view key, F f) const {
    const std::uint64_t h1 = std::hash<std::string_view>{}(key);
    const std::uint64_t h2 = (h1 >> 33 | h1 << 31) * 0x9E3779B97F4A7C15ull | 1;
    const std::size_t n = words_.size() * 64;
    for (std::uint64_t i = 0; i < 7; ++i) {
      const std::size_t bit = static_cast<std::size_t>((h1 + i * h2) % n);
      if (!f(bit / 64, std::uint64_t{1} << (bit % 64))) return false;
    }
    return true;
  }
  std::vector<std::atomic<std::uint64_t>> words_;
};

struct Engine::Impl : std::enable_shared_from_this<Engine::Impl> {
  Impl(asio::io_context& ioc, db::Store& s, EngineOptions o)
      : strand(asio::make_strand(ioc)),
        timer(strand),
        board_timer(strand),
        store(s),
        opts(std::move(o)),
        board(board_options()) {}

  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer timer;        // the one real timer, armed for timers.top()
  asio::steady_timer board_timer;  // paces the board's deltas
  db::Store& store;
  EngineOptions opts;  // opts.rules is swapped on the strand

  // The live board, fed on the commit-completion path; its deltas go to the
  // feed at most every kBoardPace.
  static constexpr auto kBoardPace = std::chrono::milliseconds(100);
  core::Board board;
  std::shared_ptr<Feed> feed;
  bool board_armed = false;
  std::chrono::steady_clock::time_point last_flush{};
  std::uint64_t snapshot_seq = ~std::uint64_t{0};  // the cached snapshot's
  std::shared_ptr<const std::string> snapshot_frame;
  // What a commit gives the board: each order before it and its new events.
  struct Settled {
    WorkOrder before;
    std::vector<Event> events;
  };

  // The deployment's working-time policy when it has one, else the stand-in.
  const core::SlaPolicy* sla() const {
    return opts.rules && opts.rules->sla ? opts.rules->sla.get() : opts.sla;
  }

  // Owned by the strand.
  struct Live {
    WorkOrder order;
    int pending = 0;  // submitted, not yet committed
  };
  std::unordered_map<std::string, Live> orders;  // open (and in-flight) orders
  // Idempotency keys seen lately (key -> number), oldest first in idem_order.
  // The store's table is the truth; this cache only has to cover requests
  // whose commit may not be done yet, so it is trimmed from the oldest end.
  std::unordered_map<std::string, std::string> idem_keys;
  std::deque<std::string> idem_order;
  static constexpr std::size_t kIdemCache = 100000;
  core::OrderNumbering numbering;
  core::HotSpots hot;
  core::TimerQueue timers;                                     // key: order id
  std::unordered_map<std::int64_t, std::string> id_to_number;  // for timer keys
  core::Millis armed_for = 0;
  bool stopped = false;
  std::int64_t last_id = 0;
  std::atomic<std::size_t> open_count{0};
  std::atomic<std::size_t> queued{0};  // commands posted, not yet decided
  std::atomic<bool> is_loaded{false};
  KeyFilter key_filter{1 << 20};
  std::atomic<bool> filter_ready{false};  // the stored keys are in key_filter

  // While the open orders load in the background (start_async), commands are
  // decided already: an order a command needs that the loader has not
  // handed over yet is read from the store on the spot. `touched` names the
  // orders changed or read that way: their live copy is newer than the
  // loader's snapshot (or they closed meanwhile), so the loader's is dropped.
  struct Loading {
    std::unordered_set<std::string> touched;
  };
  std::optional<Loading> loading;
  std::thread loader;
  std::atomic<bool> cancel_load{false};
  struct Cancelled {};

  // Everything but the open orders: numbering goes on from the store's.
  void begin() {
    numbering.observe(store.max_order_number());
    last_id = store.max_order_id();
  }

  void fill_key_filter() {
    std::size_t keys = 0;
    store.for_each_idempotency_key([&](const std::string& k) {
      key_filter.add(k);
      ++keys;
    });
    filter_ready = true;
    spdlog::info("engine: {} idempotency keys in the filter", keys);
  }

  // Takes loaded orders in (on the strand), but none a command got to first.
  void absorb(std::vector<WorkOrder>& chunk) {
    for (auto& o : chunk) {
      if (loading && loading->touched.count(o.number)) continue;
      std::string n = o.number;
      auto [it, fresh] = orders.try_emplace(std::move(n), Live{std::move(o), 0});
      if (!fresh) continue;
      ++open_count;
      board.add_open(it->second.order);
      reschedule(it->second.order);
    }
  }

  // Loads everything at once, here and now (Engine::start).
  void start() {
    begin();
    fill_key_filter();
    store.for_each_open_order_chunk([&](std::vector<WorkOrder>& chunk) { absorb(chunk); });
    const core::Millis now = opts.clock->now();
    for_recent_history(now, [&](std::vector<Event>& h) { board.add_change({}, h, false); });
    hot = build_hot_spots(opts.rules, 0);
    spdlog::info("engine: loaded {} open orders, last id {}", orders.size(), last_id);
  }

  // On the strand: numbering now, then the open orders on a thread of their
  // own, handed over in chunks; `done` runs on the strand when all are in.
  void start_in_background(std::function<void(std::exception_ptr)> done) {
    begin();
    loading.emplace();
    loader = std::thread([self = shared_from_this(), rules = opts.rules, since = opts.clock->now(),
                          done = std::move(done)]() mutable {
      self->run_loader(std::move(rules), since, std::move(done));
    });
  }

  // Waits for a chunk handed to the strand; throws Cancelled on stop.
  void wait_strand(std::future<void>& f) {
    if (!f.valid()) return;
    while (f.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready)
      if (cancel_load) throw Cancelled{};
    f.get();
  }

  // The loader thread. Orders created from `since` on are the strand's: the
  // hot-spot window it builds stops there.
  void run_loader(std::shared_ptr<const core::RuleSet> rules, core::Millis since,
                  std::function<void(std::exception_ptr)> done) {
    std::exception_ptr err;
    core::HotSpots window;
    std::size_t n = 0;
    try {
      fill_key_filter();
      std::future<void> handed;  // one chunk on the strand while the next is read
      store.for_each_open_order_chunk([&](std::vector<WorkOrder>& chunk) {
        wait_strand(handed);
        n += chunk.size();
        auto p = std::make_shared<std::promise<void>>();
        handed = p->get_future();
        asio::post(strand, [self = shared_from_this(), c = std::move(chunk), p]() mutable {
          self->absorb(c);
          self->arm();
          p->set_value();
        });
      });
      wait_strand(handed);
      // The board's recent days, up to the start (later events come live).
      std::vector<std::vector<Event>> recent;
      auto hand_recent = [&] {
        wait_strand(handed);
        auto p = std::make_shared<std::promise<void>>();
        handed = p->get_future();
        asio::post(strand, [self = shared_from_this(), r = std::move(recent), p]() mutable {
          for (auto& h : r) self->board.add_change({}, h, false);
          p->set_value();
        });
        recent.clear();
      };
      for_recent_history(since, [&](std::vector<Event>& h) {
        recent.push_back(std::move(h));
        if (recent.size() == 4096) hand_recent();
      });
      hand_recent();
      wait_strand(handed);
      window = build_hot_spots(rules, since);
    } catch (const Cancelled&) {
      return;
    } catch (...) {
      err = std::current_exception();
    }
    if (cancel_load) return;
    asio::post(strand, [self = shared_from_this(), window = std::move(window), rules, err, n,
                        done = std::move(done)]() mutable {
      self->loading.reset();
      if (err) return done(err);
      // Rules replaced meanwhile rebuilt the whole window already.
      if (self->opts.rules == rules) {
        window.absorb(std::move(self->hot));
        self->hot = std::move(window);
      }
      self->is_loaded = true;
      self->arm();
      spdlog::info("engine: loaded {} open orders, last id {}", n, self->last_id);
      done(nullptr);
    });
  }

  // The histories of the days the board shows, cut at `until` (events from
  // then on reach the board as they commit).
  void for_recent_history(core::Millis until, const std::function<void(std::vector<Event>&)>& fn) {
    const core::Millis from = core::board_day_start(core::board_day(until)) - 7 * core::kDay;
    store.for_each_history(
        from, until,
        [&](std::vector<Event>& h) {
          std::size_t n = 0;
          while (n < h.size() && h[n].at < until) ++n;
          h.resize(n);
          if (n) fn(h);
        },
        /*open_too=*/false);
  }

  void stop_loader() {
    cancel_load = true;
    if (loader.joinable()) loader.join();
  }

  // The hot-spot window holds the last `days` of orders, closed ones
  // included (created before `before`, when not 0).
  core::HotSpots build_hot_spots(const std::shared_ptr<const core::RuleSet>& rules,
                                 core::Millis before) {
    core::HotSpots h;
    const core::EscalationRule* rule = rules ? rules->escalator->hot_spot_rule() : nullptr;
    if (!rule) return h;
    const core::Millis window = rule->days * core::kDay;
    // One indexed scan, oldest first (a restart after a busy week must not
    // page through the window: that grew with the square of the orders).
    for (const auto& o : store.orders_created_since(opts.clock->now() - window))
      if ((!before || o.created_at < before) && core::in_community(*rules, o.area))
        h.add(o.area, o.category, o.number, o.created_at, rule->count, window);
    return h;
  }

  const core::Escalator* escalator() const {
    return opts.rules ? opts.rules->escalator.get() : nullptr;
  }

  // The order's next timer instant; 0 when none or when it cannot be computed
  // (e.g. an instant outside the holiday data: logged, never thrown).
  core::Millis next_of(const WorkOrder& o) {
    try {
      return core::next_timer(o, *sla(), escalator());
    } catch (const std::exception& e) {
      spdlog::error("order {}: no SLA timer: {}", o.number, e.what());
      return 0;
    }
  }

  // Timers from the stored deadlines (at start, and when the rules change);
  // whatever is already due fires at once, in deadline order.
  void rebuild_timers() {
    std::vector<core::TimerQueue::Entry> entries;
    id_to_number.clear();
    for (const auto& [n, live] : orders) {
      core::Millis next = next_of(live.order);
      if (!next) continue;
      entries.push_back({next, static_cast<core::TimerQueue::Key>(live.order.id)});
      id_to_number[live.order.id] = n;
    }
    timers.build(std::move(entries));
    armed_for = 0;
  }

  // Keeps the order's one entry in the timer queue right.
  void reschedule(const WorkOrder& o) {
    core::Millis next = next_of(o);
    auto key = static_cast<core::TimerQueue::Key>(o.id);
    if (next) {
      timers.schedule(key, next);
      id_to_number[o.id] = o.number;
    } else {
      timers.cancel(key);
      id_to_number.erase(o.id);
    }
  }

  // Arms the real timer for the earliest entry (on the strand).
  void arm() {
    if (stopped) return;
    auto top = timers.top();
    if (!top) {
      armed_for = 0;
      timer.cancel();
      return;
    }
    if (armed_for == top->due) return;
    armed_for = top->due;
    timer.expires_after(std::chrono::milliseconds(opts.clock->real_delay(top->due)));
    // A weak reference: a cancelled wait still queued when the engine is
    // destroyed must not keep its state (and this timer) alive.
    timer.async_wait([weak = weak_from_this(), due = top->due](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->armed_for != due) return;  // cancelled, gone or re-armed
      self->armed_for = 0;
      self->fire();
    });
  }

  // The timer went off: every order due now gets its SLA signals and
  // escalations, committed as one batch.
  void fire() {
    if (stopped) return;
    const core::Millis now = opts.clock->now();
    core::EscalationContext ectx;
    ectx.now = now;
    ectx.sla = sla();
    if (opts.rules) {
      auto rules = opts.rules;
      ectx.difficult_target = [rules](const WorkOrder& o) { return rules->difficult_target(o); };
      ectx.arbitration_dept = rules->deployment->arbitration_dept;
    }
    std::vector<db::Change> changes;
    for (const auto& due : timers.pop_due(now, 2000)) {
      auto idn = id_to_number.find(due.key);
      if (idn == id_to_number.end()) continue;
      auto it = orders.find(idn->second);
      if (it == orders.end()) continue;
      db::Change c;
      c.order = it->second.order;
      try {
        for (auto& e : core::fire_timers(c.order, now, *sla(), escalator(), ectx)) {
          core::apply(c.order, e);
          c.events.push_back(std::move(e));
        }
      } catch (const std::exception& e) {
        spdlog::error("order {}: timer failed: {}", c.order.number, e.what());
        c.events.clear();
        c.order = it->second.order;
      }
      if (c.events.empty()) {
        reschedule(c.order);  // e.g. a rule that no longer applies
        continue;
      }
      changes.push_back(std::move(c));
    }
    if (!changes.empty()) {
      std::vector<std::string> numbers;
      for (const auto& c : changes) numbers.push_back(c.order.number);
      auto settled = befores(changes);
      db::Batch batch;
      batch.changes = changes;
      commit(std::move(batch), std::move(numbers), settled, std::nullopt, nullptr);
      remember(changes);
      settle(*settled, changes);
    }
    arm();
  }

  // After a batch was handed to the writer: the new state, logs and timers.
  void remember(std::vector<db::Change>& changes) {
    log_changes(changes);
    for (auto& c : changes) keep_one(std::move(c.order));
    arm();
  }
  // The same in two steps, for changes that go to the writer themselves.
  static void log_changes(const std::vector<db::Change>& changes) {
    for (const auto& c : changes)
      for (const auto& e : c.events)
        spdlog::info("order {} seq {} {} by {} ({}) -> {}", c.order.number, e.seq,
                     core::name(e.type), e.actor.user, core::name(e.actor.role),
                     core::name(c.order.status));
  }
  void keep(std::vector<WorkOrder>& kept) {
    for (auto& o : kept) keep_one(std::move(o));
    arm();
  }
  void keep_one(WorkOrder&& o) {
    if (loading) loading->touched.insert(o.number);
    auto [it, fresh] = orders.try_emplace(o.number);
    it->second.order = std::move(o);
    ++it->second.pending;
    if (fresh) ++open_count;
    reschedule(it->second.order);
  }

  // Each changed order as it is before the change (from the live state; a
  // new order: empty). Call before remember().
  std::shared_ptr<std::vector<Settled>> befores(const std::vector<db::Change>& changes,
                                                const WorkOrder* first = nullptr) {
    auto out = std::make_shared<std::vector<Settled>>(changes.size());
    for (std::size_t i = 0; i < changes.size(); ++i) {
      if (i == 0 && first) {
        (*out)[0].before = *first;
        continue;
      }
      if (auto it = orders.find(changes[i].order.number); it != orders.end())
        (*out)[i].before = it->second.order;
    }
    return out;
  }
  // After remember(): the events move on to the board (the store has its copy).
  static void settle(std::vector<Settled>& settled, std::vector<db::Change>& changes) {
    for (std::size_t i = 0; i < changes.size(); ++i)
      settled[i].events = std::move(changes[i].events);
  }

  // On the strand, after a commit: the board learns the changes, the queue
  // streams get them; the board's delta goes out at the next pace tick.
  void publish(std::vector<Settled>& settled) {
    board.set_now(opts.clock->now());
    const bool notify = feed && feed->wants_orders();
    std::vector<std::shared_ptr<const OrderNotice>> notices;
    for (auto& s : settled) {
      WorkOrder after = board.add_change(std::move(s.before), s.events);
      if (!notify || s.events.empty()) continue;
      json::array events;
      for (const auto& e : s.events)
        events.push_back(json::object{{"seq", e.seq}, {"at", e.at}, {"type", core::name(e.type)}});
      json::array depts;
      for (const auto& d : after.depts)
        depts.push_back(json::object{{"dept", d.dept}, {"role", core::name(d.role)}});
      json::object msg{{"type", "order"},
                       {"number", after.number},
                       {"version", after.version},
                       {"status", core::name(after.status)},
                       {"kind", core::name(after.kind)},
                       {"urgency", core::name(after.urgency)},
                       {"category", after.category},
                       {"area", after.area},
                       {"depts", std::move(depts)},
                       {"claim_due", after.claim_due},
                       {"reply_due", after.reply_due},
                       {"due", core::current_due(after)},
                       {"sla_flags", after.sla_flags},
                       {"supervised", after.supervised},
                       {"events", std::move(events)}};
      auto n = std::make_shared<OrderNotice>();
      n->frame = std::make_shared<const std::string>(json::serialize(msg));
      n->order = std::move(after);
      notices.push_back(std::move(n));
    }
    if (!notices.empty()) feed->orders_changed(std::move(notices));
    pace_board();
  }

  // A change goes out at once when the last delta is a pace old, else when
  // it is: never more than one delta per pace, never a pace's wait for nothing.
  void pace_board() {
    if (board_armed || !feed || stopped) return;
    const auto since = std::chrono::steady_clock::now() - last_flush;
    if (since >= kBoardPace) return flush_board();
    board_armed = true;
    board_timer.expires_after(kBoardPace - since);
    board_timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self) return;
      self->board_armed = false;
      if (!ec) self->flush_board();
    });
  }

  // Publishes what changed since the last delta (on the strand).
  void flush_board() {
    last_flush = std::chrono::steady_clock::now();
    board.set_now(opts.clock->now());
    auto d = board.take_delta();
    if (d && feed)
      feed->board_delta(std::make_shared<const std::string>(json::serialize(*d)), board.seq());
  }

  void remember_key(const std::string& key, const std::string& number) {
    if (!idem_keys.emplace(key, number).second) return;
    key_filter.add(key);
    idem_order.push_back(key);
    while (idem_order.size() > kIdemCache) {
      auto it = idem_keys.find(idem_order.front());
      if (it != idem_keys.end()) {
        auto live = orders.find(it->second);
        if (live != orders.end() && live->second.pending > 0) break;  // not committed yet: keep
        idem_keys.erase(it);
      }
      idem_order.pop_front();
    }
  }

  // Looks an order up: live state first, else the store (closed orders, and
  // open ones not loaded yet: those are taken in now).
  std::optional<WorkOrder> find(const std::string& number) {
    if (auto it = orders.find(number); it != orders.end()) return it->second.order;
    auto h = store.get_order(number);
    if (!h) return std::nullopt;
    if (loading && h->order.open()) take_in(h->order);
    return std::move(h->order);
  }

  // An open order by number (null when closed or unknown).
  const WorkOrder* find_open(const std::string& number) {
    auto it = orders.find(number);
    if (it == orders.end() && loading)
      if (auto h = store.get_order(number); h && h->order.open()) return take_in(h->order);
    return it != orders.end() && it->second.order.open() ? &it->second.order : nullptr;
  }

  // An open order read from the store while loading: live from now on.
  const WorkOrder* take_in(const WorkOrder& o) {
    loading->touched.insert(o.number);
    auto [it, fresh] = orders.try_emplace(o.number, Live{o, 0});
    if (fresh) {
      ++open_count;
      reschedule(it->second.order);
    }
    return &it->second.order;
  }

  // Answers after everything queued so far is committed (the writer is FIFO).
  void answer_after_commit(Reply r, ReplyHandler done) {
    commit({}, {}, nullptr, std::move(r), std::move(done));
  }

  // The one commit-completion path, for commands, timer batches and
  // idempotent replays alike: the batch goes to the writer; once it is
  // durable, on the strand, the orders it touched are settled and whoever
  // waits is answered (a failed commit is never acknowledged). The live
  // board's deltas will be published here.
  // `settled` (filled by the caller after this returns, before the
  // completion runs: both on the strand) feeds the board and the queues.
  // With `reply_events` (a command's batch, which holds the changes
  // themselves, not a copy): the settled orders' events come back from the
  // committed batch (moved, on the writer's thread, before the post); the
  // reply's events are the first order's, moved over once the board has
  // read them, and its order_doc the first order's stored document.
  void commit(db::Batch batch, std::vector<std::string> numbers,
              std::shared_ptr<std::vector<Settled>> settled, std::optional<Reply> reply,
              ReplyHandler done, bool reply_events = false) {
    auto self = shared_from_this();
    store.submit(std::move(batch), [self, numbers = std::move(numbers),
                                    settled = std::move(settled), reply = std::move(reply),
                                    done = std::move(done),
                                    reply_events](const db::CommitStatus& st) mutable {
      if (reply_events && reply && st.docs && !st.docs->empty())
        reply->order_doc = std::move(st.docs->front());
      if (reply_events && settled && st.batch)
        for (std::size_t i = 0; i < settled->size() && i < st.batch->changes.size(); ++i)
          (*settled)[i].events = std::move(st.batch->changes[i].events);
      // Not `st` itself: its docs and batch are gone once this returns.
      asio::post(self->strand, [self, numbers = std::move(numbers), ok = st.ok, error = st.error,
                                settled = std::move(settled), reply = std::move(reply),
                                done = std::move(done), reply_events]() mutable {
        for (const auto& n : numbers) self->committed(n);
        if (settled && ok) self->publish(*settled);
        if (!reply || !done) return;
        if (reply_events && settled && !settled->empty())
          reply->events = std::move(settled->front().events);
        if (!ok)  // only reachable when the fatal handler returned (tests)
          reply->rejection =
              core::Rejection{core::RejectCode::internal, "", "not stored: " + error};
        done(std::move(*reply));
      });
    });
  }

  core::DecideContext decide_context(core::Millis now) {
    core::DecideContext ctx;
    ctx.now = now;
    ctx.sla = sla();
    ctx.allocate = [this, now] { return std::pair{++last_id, numbering.next(now)}; };
    if (opts.rules) {
      auto rules = opts.rules;
      ctx.dept_exists = [rules](std::string_view id) {
        return rules->router->dept(std::string(id)) != nullptr;
      };
      ctx.area_placeable = [rules](std::string_view code) {
        const core::Area* a = rules->router->areas().find(code);
        return a && (a->level == core::AreaLevel::street || a->level == core::AreaLevel::community);
      };
      ctx.category_exists = [rules](std::string_view path) {
        return rules->router->category(std::string(path)) != nullptr;
      };
      ctx.platform_exists = [rules](std::string_view code) {
        const auto& ps = rules->deployment->platforms;
        return std::any_of(ps.begin(), ps.end(),
                           [&](const core::Platform& p) { return p.code == code; });
      };
      ctx.callback_attempts = rules->deployment->callback_attempts;
      ctx.tracked_note_working_days = rules->deployment->tracked_note_working_days;
      ctx.callback_working_days = rules->deployment->callback_working_days;
    }
    return ctx;
  }

  static void reject(ReplyHandler& done, core::RejectCode code, std::string field,
                     std::string reason) {
    Reply r;
    r.rejection = core::Rejection{code, std::move(field), std::move(reason)};
    done(std::move(r));
  }

  void execute(Request req, ReplyHandler done) {
    if (stopped)
      return reject(done, core::RejectCode::internal, "",
                    "the dispatcher is shutting down; nothing was changed");
    const core::Millis now = opts.clock->now();
    const bool creating = req.cmd.type == core::CommandType::create;

    // Idempotent create: a retry gets the first order back.
    // Keys already in the store were looked up before this (Engine::execute,
    // off the strand); this cache holds every key since start, in flight too.
    if (creating && !req.idempotency_key.empty()) {
      std::optional<std::string> known;
      if (auto it = idem_keys.find(req.idempotency_key); it != idem_keys.end()) known = it->second;
      if (known) {
        if (auto o = find(*known)) {
          Reply reply;
          reply.order = std::move(*o);
          reply.replayed = true;
          answer_after_commit(std::move(reply), std::move(done));
          return;
        }
      }
    }

    std::optional<WorkOrder> current;
    if (!creating) {
      current = find(req.number);
      // An order the actor may not see is, to them, not there: no answer
      // (a stale version's current order, a state named in a refusal) may
      // tell them anything about it.
      if (!current || !core::can_see(*current, req.actor))
        return reject(done, core::RejectCode::not_found, "number",
                      "no order numbered " + req.number);
      if (req.expected_version && *req.expected_version != current->version) {
        // The current order goes back only to whom the command itself would
        // have been open.
        if (!core::role_may(req.actor.role, req.cmd.type))
          return reject(done, core::RejectCode::forbidden, "",
                        "role " + std::string(core::name(req.actor.role)) + " may not " +
                            std::string(core::name(req.cmd.type)));
        Reply r;
        r.rejection = core::Rejection{
            core::RejectCode::stale, "version",
            "the order is at version " + std::to_string(current->version) + ", not " +
                std::to_string(*req.expected_version) + ": reload it and try again"};
        r.order = std::move(*current);
        done(std::move(r));
        return;
      }
    }
    if (req.cmd.type == core::CommandType::merge) {
      // The target must be another open order.
      auto* into = req.cmd.args.if_contains("into");
      if (into && into->is_string()) {
        if (!find_open(std::string(into->get_string())))
          return reject(done, core::RejectCode::invalid_field, "into",
                        "into must name another open order");
      }
    }

    // Intake: place the order and ask routing, so the decision is logged with it.
    std::optional<core::Intake> intake;
    if (creating && opts.rules) {
      auto& args = req.cmd.args;
      intake = core::assess_intake(*opts.rules, args);
      // A call's handling mode, when the operator gave none, from the deployment's table.
      const bool call =
          req.actor.role == core::Role::operator_ || req.actor.role == core::Role::system;
      auto* given = args.if_contains("mode");
      if (call && (!given || given->is_null())) {
        auto kind = core::parse<core::Kind>(core::str_at(args, "kind"));
        auto urgency = core::parse<core::Urgency>(core::str_at(args, "urgency"))
                           .value_or(core::Urgency::normal);
        if (kind)
          if (auto m = core::default_mode(*opts.rules->deployment, *kind, urgency,
                                          core::str_at(args, "category")))
            args["mode"] = std::string(core::name(*m));
      }
    }

    core::DecideContext ctx = decide_context(now);
    core::Decision d = core::decide(current ? &*current : nullptr, req.cmd, req.actor, ctx);
    if (!d.ok()) {
      Reply r;
      r.rejection = std::move(d.rejection);
      // An order the actor may not even see is, to them, not there.
      if (r.rejection->code == core::RejectCode::out_of_scope && current &&
          !core::can_see(*current, req.actor))
        r.rejection = core::Rejection{core::RejectCode::not_found, "number",
                                      "no order numbered " + req.number};
      done(std::move(r));
      return;
    }
    if (intake) {
      auto& data = d.events.front().data;
      data["placement"] = core::to_json(intake->placement);
      data["route"] = core::to_json(intake->route);
    }

    // The primary order, then every other order the command touches, all in
    // one batch: committed together or not at all.
    std::vector<db::Change> changes(1);
    WorkOrder& order = changes[0].order;
    WorkOrder before = current ? *current : WorkOrder{};
    order = current ? std::move(*current) : WorkOrder{};
    auto add = [&](db::Change& c, Event e) {
      core::apply(c.order, e);
      c.events.push_back(std::move(e));
    };
    for (auto& e : d.events) add(changes[0], std::move(e));
    core::FollowUpContext fctx;
    fctx.now = now;
    fctx.sla = sla();
    fctx.rules = opts.rules.get();
    fctx.hot = &hot;
    fctx.find_open = [this](const std::string& n) { return find_open(n); };
    fctx.decide_context = [this, now] { return decide_context(now); };
    core::follow_ups(changes, fctx);

    const std::string number = changes[0].order.number;
    Reply reply;
    reply.order = changes[0].order;  // its events: after the commit (commit's reply_events)
    db::Batch batch;
    // Deliveries to other platforms (跨域转办), committed with their cause.
    if (opts.rules)
      for (const auto& c : changes)
        for (auto& item : core::outbox_items(c, *opts.rules->deployment))
          batch.records.push_back({"outbox", item.key, json::serialize(item.value)});
    const bool keyed = creating && !req.idempotency_key.empty();
    if (keyed) batch.idempotency_key = req.idempotency_key;
    std::vector<std::string> numbers;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      numbers.push_back(changes[i].order.number);
      if (i > 0) reply.also_changed.push_back(changes[i].order.number);
    }

    // The live state keeps a copy of each order; the changes themselves go
    // to the writer, their events coming back for the board after the
    // commit. Logged before they leave (the writer owns them after submit).
    auto settled = befores(changes, &before);
    log_changes(changes);
    std::vector<WorkOrder> kept;
    kept.reserve(changes.size());
    for (const auto& c : changes) kept.push_back(c.order);
    batch.changes = std::move(changes);
    // Hand the batch to the writer first; memory changes only once that did
    // not throw. The completion runs on this strand, after this handler.
    commit(std::move(batch), std::move(numbers), settled, std::move(reply), std::move(done), true);

    keep(kept);
    if (keyed) remember_key(req.idempotency_key, number);
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
    : impl_(std::make_shared<Impl>(ioc, store, std::move(opts))) {}

Engine::~Engine() { impl_->stop_loader(); }

void Engine::start() {
  impl_->start();
  impl_->is_loaded = true;
  asio::post(impl_->strand, [impl = impl_] { impl->arm(); });
}

void Engine::start_async(std::function<void(std::exception_ptr)> done) {
  asio::post(impl_->strand, [impl = impl_, done = std::move(done)] {
    try {
      impl->start_in_background(done);
    } catch (...) {
      done(std::current_exception());
    }
  });
}

bool Engine::loaded() const { return impl_->is_loaded.load(); }

void Engine::poke() {
  asio::post(impl_->strand, [impl = impl_] {
    impl->armed_for = 0;
    impl->fire();
  });
}

core::Millis Engine::next_timer() {
  std::promise<core::Millis> p;
  auto f = p.get_future();
  asio::post(impl_->strand, [impl = impl_, &p] {
    auto top = impl->timers.top();
    p.set_value(top ? top->due : 0);
  });
  return f.get();
}

namespace {
// Runs f on the strand and waits for it. REQUIRES: the io_context runs on
// another thread.
template <class Strand, class F>
void on_strand_and_wait(Strand& strand, F f) {
  std::promise<void> done;
  auto fut = done.get_future();
  asio::post(strand, [&] {
    f();
    done.set_value();
  });
  fut.wait();
}
}  // namespace

void Engine::sync() {
  auto& impl = *impl_;
  on_strand_and_wait(impl.strand, [] {});  // commands posted so far are decided and submitted
  impl.store.flush();                      // ... committed, their completions posted
  on_strand_and_wait(impl.strand, [] {});  // ... and answered
}

void Engine::stop() {
  auto& impl = *impl_;
  impl.stop_loader();
  on_strand_and_wait(impl.strand, [&impl] {
    impl.stopped = true;
    impl.timer.cancel();
    impl.board_timer.cancel();
  });
  // Drain: no store completion may outlive the engine (it would touch the
  // strand and the timer after the io_context is gone).
  impl.store.flush();
  on_strand_and_wait(impl.strand, [] {});
}

void Engine::set_rules(std::shared_ptr<const core::RuleSet> rules) {
  asio::post(impl_->strand, [impl = impl_, rules = std::move(rules)]() mutable {
    impl->opts.rules = std::move(rules);
    // New rules, new deadlines to watch: rebuild the timers and the hot-spot window.
    impl->hot = impl->build_hot_spots(impl->opts.rules, 0);
    impl->rebuild_timers();
    impl->arm();
    spdlog::info("engine: rules replaced (config version {})",
                 impl->opts.rules ? impl->opts.rules->deployment->version : std::string("none"));
  });
}

void Engine::execute(Request req, ReplyHandler done) {
  // A retried create whose first attempt is already stored is answered here,
  // on the caller's thread: the SQLite read stays off the strand. (Keys not
  // yet stored, in flight included, are in the strand's cache.)
  if (req.cmd.type == core::CommandType::create && !req.idempotency_key.empty() &&
      (!impl_->filter_ready || impl_->key_filter.may_contain(req.idempotency_key))) {
    try {
      if (auto known = impl_->store.find_idempotency_key(req.idempotency_key))
        if (auto h = impl_->store.get_order(*known)) {
          Reply r;
          r.order = std::move(h->order);
          r.replayed = true;
          done(std::move(r));
          return;
        }
    } catch (const std::exception& e) {
      spdlog::error("engine: idempotency lookup failed: {}", e.what());
      Reply r;
      r.rejection = core::Rejection{core::RejectCode::internal, "", "internal error"};
      done(std::move(r));
      return;
    }
  }
  impl_->queued.fetch_add(1, std::memory_order_relaxed);
  asio::post(impl_->strand, [impl = impl_, req = std::move(req), done = std::move(done)]() mutable {
    impl->queued.fetch_sub(1, std::memory_order_relaxed);
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

void Engine::set_feed(std::shared_ptr<Feed> feed) {
  asio::post(impl_->strand,
             [impl = impl_, feed = std::move(feed)]() mutable { impl->feed = std::move(feed); });
}

void Engine::board_snapshot(
    std::function<void(std::shared_ptr<const std::string>, std::uint64_t)> done) {
  asio::post(impl_->strand, [impl = impl_, done = std::move(done)] {
    impl->flush_board();
    // One serialisation per state, however many screens ask for it.
    if (impl->snapshot_seq != impl->board.seq() || !impl->snapshot_frame) {
      impl->snapshot_frame =
          std::make_shared<const std::string>(json::serialize(impl->board.snapshot()));
      impl->snapshot_seq = impl->board.seq();
    }
    done(impl->snapshot_frame, impl->snapshot_seq);
  });
}

std::size_t Engine::open_orders() const { return impl_->open_count.load(); }

void Engine::stats(std::function<void(EngineStats)> done) {
  asio::post(impl_->strand, [impl = impl_, done = std::move(done)] {
    EngineStats st;
    st.open = impl->orders.size();
    st.queued = impl->queued.load(std::memory_order_relaxed);
    st.timers = impl->timers.size();
    for (const auto& [n, live] : impl->orders)
      if (live.order.open()) ++st.by_status[std::string(core::name(live.order.status))];
    done(std::move(st));
  });
}

}  // namespace huying::engine
