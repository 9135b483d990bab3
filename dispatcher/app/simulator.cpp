#include "dispatcher/app/simulator.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <future>
#include <queue>
#include <random>
#include <sstream>
#include <thread>

namespace huying::app {

namespace json = boost::json;
using core::Millis;
using core::WorkOrder;
using engine::Reply;

std::string SimReport::to_string() const {
  auto pct = [](long a, long b) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0);
    return std::string(buf);
  };
  std::ostringstream o;
  o << "orders: " << created << " created, " << closed << " closed, " << transferred << " transferred, " << open
    << " still open\n"
    << "按时签收 (claimed on time): " << pct(claimed_on_time, claimed) << " of " << claimed << "\n"
    << "按时办结 (replied on time): " << pct(replied_on_time, replied) << " of " << replied << "\n"
    << "满意率 (satisfied + basically): " << pct(satisfied, rated) << " of " << rated << " call-backs\n"
    << "returned: " << returned << ", reopened: " << reopened << "\n"
    << "events:";
  for (const auto& [type, n] : events) o << " " << type << "=" << n;
  o << "\nreal time: " << real_seconds << " s\n";
  return o.str();
}

namespace {

class Sim {
 public:
  Sim(Engine& e, db::Store& s, core::Clock& c, std::shared_ptr<const core::RuleSet> r, const SimOptions& o)
      : engine_(e), store_(s), clock_(c), rules_(std::move(r)), opts_(o), rng_(o.seed) {
    for (const auto& cat : rules_->deployment->categories)
      if (cat.leaf) leaves_.push_back(cat.path);
    for (const auto& p : rules_->deployment->places) places_.push_back(p.name);
    for (const auto& a : rules_->deployment->areas)
      if (a.level == core::AreaLevel::community) communities_.push_back(a.code);
    fake_ = dynamic_cast<core::FakeClock*>(&clock_);
  }

  SimReport run() {
    auto real0 = std::chrono::steady_clock::now();
    if (leaves_.empty() || communities_.empty()) {
      spdlog::error("simulate: the config needs leaf categories and communities");
      return report_;
    }
    const Millis end = opts_.from + opts_.days * core::kDay;
    // Arrivals: calls come in from 08:00 to 22:00.
    for (int d = 0; d < opts_.days; ++d) {
      Millis day = opts_.from + d * core::kDay;
      for (int i = 0; i < opts_.per_day; ++i) at(day + uniform(0, 14 * core::kHour), [this] { arrive(); });
    }
    int day_reported = -1;
    while (!queue_.empty() && !stopping()) {
      Millis t_action = queue_.top().at;
      Millis t_timer = engine_.next_timer();
      Millis t = t_timer && t_timer < t_action ? t_timer : t_action;
      if (t > end) break;
      advance_to(t);
      if (stopping()) break;
      if (t == t_action) {
        auto fn = queue_.top().fn;
        queue_.pop();
        fn();
      }
      int day = static_cast<int>((clock_.now() - opts_.from) / core::kDay);
      if (opts_.progress && day != day_reported && day < opts_.days) {
        day_reported = day;
        auto d = core::shanghai_date(clock_.now());
        std::fprintf(stderr, "simulate: %04d-%02u-%02u  %ld orders logged, %zu actions pending\n", d.year, d.month,
                     d.day, report_.created, queue_.size());
      }
    }
    if (!stopping()) advance_to(std::max(end, clock_.now()));
    engine_.next_timer();  // drain the strand
    store_.flush();
    report_.events = store_.event_counts();
    report_.open = static_cast<long>(engine_.open_orders());
    report_.real_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - real0).count();
    return report_;
  }

 private:
  struct Action {
    Millis at;
    long seq;
    std::function<void()> fn;
    bool operator>(const Action& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  Millis uniform(Millis lo, Millis hi) { return lo + static_cast<Millis>(rng_() % static_cast<std::uint64_t>(hi - lo + 1)); }
  double chance() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  void at(Millis t, std::function<void()> fn) { queue_.push({t, seq_++, std::move(fn)}); }

  bool stopping() const { return opts_.stop && opts_.stop->load(); }

  void advance_to(Millis t) {
    if (fake_) {
      if (t > fake_->now()) fake_->set(t);
      engine_.poke();
    } else {
      // Sleep in short steps so a stop request is seen promptly.
      for (Millis wait = clock_.real_delay(t); wait > 0 && !stopping(); wait = clock_.real_delay(t))
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min<Millis>(wait, 200)));
      engine_.poke();
    }
  }

  Reply exec(core::CommandType type, const core::Actor& a, const std::string& number, json::object args) {
    std::promise<Reply> p;
    auto f = p.get_future();
    engine_.execute({{type, std::move(args)}, a, number, {}}, [&](Reply r) { p.set_value(std::move(r)); });
    return f.get();
  }

  core::Actor clerk_of(const std::string& dept) {
    bool hub = dept.rfind("hub-", 0) == 0;
    return {"sim-" + dept, hub ? core::Role::coordinator : core::Role::clerk, dept, ""};
  }

  void arrive() {
    static const char* kTexts[] = {"反映问题，希望尽快处理", "多次反映仍未解决，请督促", "咨询办理流程和所需材料",
                                   "建议相关部门加强管理", "影响居民正常生活，请核实处理"};
    static const core::Kind kKinds[] = {core::Kind::complaint, core::Kind::complaint, core::Kind::complaint,
                                        core::Kind::help,      core::Kind::help,      core::Kind::consult,
                                        core::Kind::report,    core::Kind::suggestion};
    json::object args{{"kind", core::name(kKinds[rng_() % std::size(kKinds)])},
                      {"category", leaves_[rng_() % leaves_.size()]},
                      {"citizen", {{"name", "模拟来电人"}, {"phone", "1380000" + std::to_string(1000 + rng_() % 9000)}}}};
    std::string text = kTexts[rng_() % std::size(kTexts)];
    if (chance() < 0.01) text = "楼下有人打架还拿着刀";  // an emergency cue
    args["description"] = text;
    if (chance() < 0.85 && !places_.empty()) args["address"] = places_[rng_() % places_.size()] + "附近";
    else if (chance() < 0.8) args["area"] = communities_[rng_() % communities_.size()];
    else args["address"] = "说不清具体位置";
    if (chance() < 0.05) args["urgency"] = "urgent";
    Reply r = exec(core::CommandType::create, {"sim-op", core::Role::operator_, "", ""}, {}, std::move(args));
    if (!r.ok()) {
      spdlog::warn("simulate: create refused: {}", r.rejection->reason);
      return;
    }
    ++report_.created;
    after(r.order);
  }

  // What happens next to an order, given its state.
  void after(const WorkOrder& o) {
    const std::string n = o.number;
    const Millis now = clock_.now();
    switch (o.status) {
      case core::Status::received:
        if (o.proposal && !o.proposal->transfer_line.empty()) {
          at(now + uniform(1, 3) * core::kMinute, [this, n, line = o.proposal->transfer_line] {
            Reply r = exec(core::CommandType::transfer_emergency, desk_op(), n,
                           {{"line", line}, {"reference", "SIM-" + n}});
            if (r.ok()) ++report_.transferred;
          });
        } else {
          at(now + uniform(5, 30) * core::kMinute, [this, n] { follow(exec(core::CommandType::dispatch, desk(), n, {})); });
        }
        break;
      case core::Status::dispatched: {
        // Most claim within the allowance; a few stall until escalation.
        Millis allow = std::max<Millis>(o.claim_due - now, 10 * core::kMinute);
        Millis when = chance() < 0.95 ? now + uniform(allow / 20, allow * 9 / 10) : now + uniform(allow, allow * 3);
        bool bounce = chance() < 0.03;
        at(when, [this, n, bounce, dept = *o.lead_dept()] {
          if (bounce) {
            Reply r = exec(core::CommandType::return_order, clerk_of(dept), n, {{"reason", "not_our_duty"}});
            if (r.ok()) ++report_.returned;
            follow(r);
            return;
          }
          Reply r = exec(core::CommandType::claim, clerk_of(dept), n, {});
          if (r.ok()) {
            ++report_.claimed;
            if (r.order.claimed_at <= r.order.claim_due) ++report_.claimed_on_time;
          }
          follow(r);
        });
        break;
      }
      case core::Status::returned:
        // The desk sends it to the street hub (or arbitration): decided now,
        // from the order the return produced, not re-read from the store.
        at(now + uniform(10, 60) * core::kMinute, [this, n, target = rules_->difficult_target(o)] {
          follow(exec(core::CommandType::arbitrate, desk(), n, {{"lead", target}, {"ruling", "模拟：改派属地"}}));
        });
        break;
      case core::Status::claimed: {
        Millis allow = std::max<Millis>(o.reply_due - now, core::kHour);
        Millis when = chance() < 0.95 ? now + uniform(allow / 20, allow * 9 / 10) : now + uniform(allow, allow * 13 / 10);
        at(when, [this, n, dept = *o.lead_dept()] {
          Reply r = exec(core::CommandType::reply, clerk_of(dept), n,
                         {{"result", "已核实并处理完毕"},
                          {"onsite", {{"at", clock_.now()}, {"by", "模拟承办人"}, {"place", "现场"}}}});
          if (r.ok()) {
            ++report_.replied;
            if (r.order.replied_at <= r.order.reply_due) ++report_.replied_on_time;
          }
          follow(r);
        });
        break;
      }
      case core::Status::replied:
        at(now + uniform(1, 20) * core::kHour, [this, n] {
          double x = chance();
          const char* sat = x < 0.88 ? "satisfied" : x < 0.96 ? "basically_satisfied" : "unsatisfied";
          Reply r = exec(core::CommandType::visit, desk_op(), n,
                         {{"solved", chance() < 0.96}, {"satisfaction", sat}});
          if (r.ok()) {
            ++report_.rated;
            if (std::string_view(sat) != "unsatisfied") ++report_.satisfied;
            if (r.order.status == core::Status::claimed) ++report_.reopened;
          }
          follow(r);
        });
        break;
      case core::Status::visited:
        at(now + uniform(1, 10) * core::kMinute, [this, n] {
          Reply r = exec(core::CommandType::close, desk_op(), n, {});
          if (r.ok()) ++report_.closed;
        });
        break;
      default: break;
    }
  }

  void follow(const Reply& r) {
    if (r.ok()) after(r.order);
    else spdlog::debug("simulate: refused: {}", r.rejection->reason);
  }

  core::Actor desk() { return {"sim-desk", core::Role::dispatcher, "", ""}; }
  core::Actor desk_op() { return {"sim-op", core::Role::operator_, "", ""}; }

  Engine& engine_;
  db::Store& store_;
  core::Clock& clock_;
  core::FakeClock* fake_ = nullptr;
  std::shared_ptr<const core::RuleSet> rules_;
  SimOptions opts_;
  std::mt19937_64 rng_;
  std::priority_queue<Action, std::vector<Action>, std::greater<>> queue_;
  long seq_ = 0;
  std::vector<std::string> leaves_, places_, communities_;
  SimReport report_;
};

}  // namespace

SimReport simulate(Engine& engine, db::Store& store, core::Clock& clock, std::shared_ptr<const core::RuleSet> rules,
                   const SimOptions& opts) {
  return Sim(engine, store, clock, std::move(rules), opts).run();
}

}  // namespace huying::app
