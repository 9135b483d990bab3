#include "dispatcher/app/simulator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <queue>
#include <random>
#include <sstream>
#include <thread>

#include "dispatcher/core/sla.hpp"

namespace huying::app {

namespace json = boost::json;
using core::Millis;
using core::WorkOrder;
using engine::Reply;

std::string SimReport::to_string() const {
  std::ostringstream o;
  o << "orders: " << created << " created, " << closed << " closed, " << open << " still open\n";
  o << "commands accepted:";
  for (const auto& [c, n] : accepted) o << " " << c << "=" << n;
  o << "\ncommands refused (the rules said no):";
  if (refused.empty()) o << " none";
  for (const auto& [c, n] : refused) o << " " << c << "=" << n;
  o << "\ncommands never used: "
    << (unused_commands().empty() ? std::string("none") : unused_commands()) << "\n";
  o << "events:";
  for (const auto& [type, n] : events) o << " " << type << "=" << n;
  o << "\nreal time: " << real_seconds << " s\n";
  return o.str();
}

std::string SimReport::unused_commands() const {
  std::string out;
  for (auto n : core::EnumNames<core::CommandType>::names) {
    std::string c(n);
    // The automatic reopen (escalation) counts for the reopen command.
    if (accepted.count(c) || (c == "reopen" && events.count("reopened"))) continue;
    out += (out.empty() ? "" : " ") + c;
  }
  return out;
}

namespace {

// How a department works (the simulated people behind its queue).
struct Dept {
  std::string id;
  std::string profile;              // diligent | steady | slow | bouncer
  double pace = 1.0;                // multiplies the working time each order takes
  double quality = 0.95;            // a case really solved
  double bounce = 0.02;             // returns an order it thinks is not its own
  std::array<Millis, 3> free_at{};  // three clerks, each with a queue
  // The clerk free first: returns a reference to when they are free.
  Millis& next_clerk() { return *std::min_element(free_at.begin(), free_at.end()); }
};

// What the simulator knows about a matter beyond what it told the operator.
struct Truth {
  std::string community;  // where it really is
  std::string category;
  bool reachable = true;  // the caller answers call-backs
  bool emergency = false;
  bool outside = false;
  std::vector<std::string> callers;  // merged callers' order numbers, each called back
};

constexpr const char* kPhrases[] = {"已经持续一周，影响休息，请尽快处理",
                                    "多次反映仍未解决，请督促", "老人小孩经过很危险，希望尽快处理",
                                    "影响居民正常生活，请核实处理", "晚上十点后还很吵，严重扰民"};

class Sim {
 public:
  Sim(Engine& e, db::Store& s, core::Clock& c, std::shared_ptr<const core::RuleSet> r,
      const SimOptions& o)
      : engine_(e), store_(s), clock_(c), rules_(std::move(r)), opts_(o), rng_(o.seed) {
    const auto& d = *rules_->deployment;
    for (const auto& cat : d.categories)
      if (cat.leaf) leaves_.push_back(cat.path);
    for (const auto& a : d.areas)
      if (a.level == core::AreaLevel::community) communities_.push_back(&a);
    for (const auto& p : d.places) places_[p.community].push_back(p.name);
    for (const auto& seg : d.roads) roads_[seg.community].push_back(&seg);
    for (std::size_t i = 0; i < d.departments.size(); ++i) {
      Dept dep;
      dep.id = d.departments[i].id;
      // Departments differ: most steady, some diligent, some slow, some bounce orders back.
      switch (i % 7) {
        case 4:
          dep.profile = "diligent", dep.pace = 0.5, dep.quality = 0.99, dep.bounce = 0.01;
          break;
        case 5:
          dep.profile = "slow", dep.pace = 2.2, dep.quality = 0.9, dep.bounce = 0.03;
          break;
        case 6:
          dep.profile = "bouncer", dep.pace = 1.0, dep.quality = 0.93, dep.bounce = 0.25;
          break;
        default:
          dep.profile = "steady";
          break;
      }
      depts_[dep.id] = dep;
    }
    if (rules_->sla) calendar_ = &rules_->sla->calendar();
    fake_ = dynamic_cast<core::FakeClock*>(&clock_);
  }

  SimReport run() {
    auto real0 = std::chrono::steady_clock::now();
    if (leaves_.empty() || communities_.empty()) {
      spdlog::error("simulate: the config needs leaf categories and communities");
      return report_;
    }
    const Millis end = opts_.from + opts_.days * core::kDay;
    // Days run midnight to midnight (Asia/Shanghai); calls before `from` are not made.
    const Millis day0 = opts_.from - ((opts_.from + core::kShanghaiOffset) % core::kDay);
    for (int d = 0; d <= opts_.days; ++d) plan_day(day0 + d * core::kDay);
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
        auto cd = core::shanghai_date(clock_.now());
        std::fprintf(stderr, "simulate: %04d-%02u-%02u  %ld orders logged, %zu actions pending\n",
                     cd.year, cd.month, cd.day, report_.created, queue_.size());
      }
    }
    if (!stopping()) advance_to(std::max(end, clock_.now()));
    engine_.sync();
    report_.events = store_.event_counts();
    report_.open = static_cast<long>(engine_.open_orders());
    report_.real_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - real0).count();
    return report_;
  }

 private:
  struct Action {
    Millis at;
    long seq;
    std::function<void()> fn;
    bool operator>(const Action& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  Millis uniform(Millis lo, Millis hi) {
    return hi <= lo ? lo
                    : lo + static_cast<Millis>(rng_() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  double chance() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[rng_() % v.size()];
  }
  void at(Millis t, std::function<void()> fn) { queue_.push({t, seq_++, std::move(fn)}); }
  bool stopping() const { return opts_.stop && opts_.stop->load(); }

  void advance_to(Millis t) {
    if (fake_) {
      if (t > fake_->now()) fake_->set(t);
      engine_.poke();
    } else {
      for (Millis wait = clock_.real_delay(t); wait > 0 && !stopping(); wait = clock_.real_delay(t))
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min<Millis>(wait, 200)));
      engine_.poke();
    }
  }

  // --- time: departments work in the calendar's working hours; the
  // hotline and the desk from 08:00 to 22:00 every day.
  core::Calendar::DayKind day_kind(Millis t) const {
    if (!calendar_) return core::Calendar::DayKind::workday;
    try {
      return calendar_->day_kind(core::shanghai_date(t));
    } catch (const std::exception&) {
      return core::Calendar::DayKind::workday;
    }
  }
  // The instant `effort` of working time after t.
  Millis work(Millis t, Millis effort) const {
    if (!calendar_) return t + effort;
    try {
      return calendar_->add_working(t, effort);
    } catch (const std::exception&) {
      return t + effort;
    }
  }
  // The same for a department's clerk on an order: the department's own
  // hours; urgent and 立即办 orders are worked by the duty officer around the clock.
  Millis work(const WorkOrder& o, Millis t, Millis effort) const {
    if (o.urgency != core::Urgency::normal || o.mode == core::Mode::immediate || !rules_->sla)
      return t + effort;
    try {
      return rules_->sla->calendar(o).add_working(t, effort);
    } catch (const std::exception&) {
      return t + effort;
    }
  }
  Millis desk_time(Millis t) const {
    Millis midnight = t - ((t + core::kShanghaiOffset) % core::kDay);
    Millis in_day = t - midnight;
    if (in_day < 8 * core::kHour) return midnight + 8 * core::kHour;
    if (in_day >= 22 * core::kHour) return midnight + core::kDay + 8 * core::kHour;
    return t;
  }

  Reply exec(core::CommandType type, const core::Actor& a, const std::string& number,
             json::object args) {
    std::promise<Reply> p;
    auto f = p.get_future();
    engine_.execute({{type, std::move(args)}, a, number, {}},
                    [&](Reply r) { p.set_value(std::move(r)); });
    Reply r = f.get();
    std::string c(core::name(type));
    if (r.ok())
      ++report_.accepted[c];
    else {
      ++report_.refused[c];
      spdlog::debug("simulate: {} {} refused: {}", c, number, r.rejection->reason);
    }
    return r;
  }

  // --- the people
  core::Actor op() const { return {"sim-op", core::Role::operator_, "", ""}; }
  core::Actor desk() const { return {"sim-desk", core::Role::dispatcher, "", ""}; }
  core::Actor leader() const { return {"sim-leader", core::Role::leader, "", ""}; }
  core::Actor clerk(const std::string& dept) const {
    const core::Department* d = rules_->router->dept(dept);
    bool hub = d && d->type == rules_->deployment->fallback_type;
    std::string area = d ? d->area : std::string();
    return {"sim-" + dept, hub ? core::Role::coordinator : core::Role::clerk, dept,
            hub ? area : std::string()};
  }
  Dept& dept(const std::string& id) {
    auto it = depts_.find(id);
    if (it == depts_.end()) it = depts_.emplace(id, Dept{id, "steady"}).first;
    return it->second;
  }

  // --- the day's calls: fewer at weekends and holidays, fewest at 春节.
  void plan_day(Millis day) {
    double factor = 1.0;
    switch (day_kind(day + 12 * core::kHour)) {
      case core::Calendar::DayKind::weekend:
        factor = 0.6;
        break;
      case core::Calendar::DayKind::holiday:
        factor = 0.45;
        break;
      default:
        break;
    }
    auto cd = core::shanghai_date(day + 12 * core::kHour);
    if (factor < 1.0 && (cd.month == 1 || cd.month == 2)) factor = 0.25;  // 春节 is quiet
    const int calls = std::max(1, static_cast<int>(opts_.per_day * factor));
    for (int i = 0; i < calls; ++i) {
      // Most calls come in the day; some at night.
      Millis t = chance() < 0.9 ? day + uniform(7 * core::kHour, 22 * core::kHour)
                                : day + uniform(0, 24 * core::kHour - 1);
      if (t < opts_.from || t >= opts_.from + opts_.days * core::kDay) continue;
      at(t, [this] { call(); });
    }
    // 主动办: a few departments open orders themselves from their patrols.
    for (int i = 0; i < std::max(1, opts_.per_day / 60); ++i) {
      Millis t = work(std::max(day, opts_.from), uniform(0, 6 * core::kHour));
      if (t < opts_.from + opts_.days * core::kDay) at(t, [this] { patrol(); });
    }
  }

  std::string place_text(const core::Area& c) {
    auto p = places_.find(c.code);
    auto r = roads_.find(c.code);
    double x = chance();
    if (x < 0.55 && p != places_.end())
      return pick(p->second) + std::to_string(1 + rng_() % 20) + "栋楼下";
    if (x < 0.75 && r != roads_.end()) {
      const core::RoadSegment* seg = pick(r->second);
      int n = static_cast<int>(uniform(seg->from, seg->to));
      if (seg->parity == core::Parity::odd && n % 2 == 0) n = n < seg->to ? n + 1 : n - 1;
      if (seg->parity == core::Parity::even && n % 2 != 0) n = n < seg->to ? n + 1 : n - 1;
      return seg->road + std::to_string(n) + "号";
    }
    if (x < 0.85) return c.name + "居委会附近";
    // Hard to place: an alias inside a shop's name, or no place at all.
    if (x < 0.93 && !c.aliases.empty()) {
      static const char* kShops[] = {"银行门口", "大酒店门口", "百货商场", "汽车4S店旁边",
                                     "超市后面"};
      return c.aliases.front() + kShops[rng_() % std::size(kShops)];
    }
    return "说不清具体位置，在一个菜市场旁边";
  }

  // A citizen calls the hotline.
  void call() {
    const core::Area& c = *pick(communities_);
    Truth truth;
    truth.community = c.code;
    truth.category = pick(leaves_);
    truth.reachable = chance() > 0.06;
    static const core::Kind kKinds[] = {
        core::Kind::complaint, core::Kind::complaint, core::Kind::complaint, core::Kind::complaint,
        core::Kind::help,      core::Kind::help,      core::Kind::consult,   core::Kind::consult,
        core::Kind::report,    core::Kind::suggestion};
    core::Kind kind = kKinds[rng_() % std::size(kKinds)];
    // A repeat call about a matter still open: logged, then merged into it.
    if (chance() < 0.04 && !recent_.empty()) {
      std::string into = recent_[rng_() % recent_.size()];
      auto it = truths_.find(into);
      if (it != truths_.end()) {
        truth = it->second;
        truth.callers.clear();
        json::object args =
            intake(kind, truth, place_text(*rules_->router->areas().find(truth.community)),
                   "再次来电反映同一问题");
        Reply r = exec(core::CommandType::create, op(), {}, std::move(args));
        if (!r.ok()) return;
        ++report_.created;
        Reply m = exec(core::CommandType::merge, op(), r.order.number, {{"into", into}});
        if (m.ok()) {
          auto t = truths_.find(into);
          if (t != truths_.end()) t->second.callers.push_back(r.order.number);
        } else {
          handle(r.order, truth);
        }
        return;
      }
    }
    std::string address = place_text(c);
    std::string text = std::string(pick_phrase());
    double x = chance();
    if (x < 0.004) {
      truth.emergency = true;
      text = "楼道里闻到煤气味很浓，请马上来人";
    } else if (x < 0.008) {
      text = "不是着火，是楼下烧烤油烟太大，呛得没法开窗";  // negated: no cue
    } else if (x < 0.02) {
      truth.outside = true;
      address = "广州市天河区体育西路" + std::to_string(1 + rng_() % 300) + "号";
    }
    json::object args = intake(kind, truth, address, text);
    if (chance() < 0.01) args["description"] = "来电无具体诉求，挂断";  // an invalid call
    if (kind == core::Kind::report && chance() < 0.3) args["confidential"] = true;
    if (chance() < 0.04 && !truth.outside) args["urgency"] = "urgent";
    Reply r = exec(core::CommandType::create, op(), {}, std::move(args));
    if (!r.ok()) return;
    ++report_.created;
    truths_[r.order.number] = truth;
    recent_.push_back(r.order.number);
    if (recent_.size() > 200) recent_.erase(recent_.begin());
    handle(r.order, truth);
  }

  std::string_view pick_phrase() { return kPhrases[rng_() % std::size(kPhrases)]; }

  json::object intake(core::Kind kind, const Truth& t, const std::string& address,
                      const std::string& text) {
    std::string leaf = t.category.substr(
        t.category.rfind('/') == std::string::npos ? 0 : t.category.rfind('/') + 1);
    const char* ask = kind == core::Kind::consult ? "，想咨询一下办理流程和所需材料"
                      : kind == core::Kind::suggestion ? "，建议相关部门加强管理"
                      : kind == core::Kind::help       ? "，请帮忙协调解决"
                                                       : "";
    json::object args{
        {"kind", core::name(kind)},
        {"category", t.category},
        {"address", address},
        {"description", "【" + leaf + "】" + address + text + ask},
        {"citizen",
         {{"name", "模拟来电人"}, {"phone", "1380000" + std::to_string(1000 + rng_() % 9000)}}}};
    return args;
  }

  // A department opens an order itself (主动办, 未诉先办).
  void patrol() {
    const core::Area& c = *pick(communities_);
    const core::Area* street = rules_->router->areas().street_of(c.code);
    const core::Department* hub =
        street ? rules_->router->dept_at(rules_->deployment->fallback_type, street->code) : nullptr;
    if (!hub) return;
    Truth truth{c.code, pick(leaves_)};
    json::object args{{"kind", "report"},
                      {"category", truth.category},
                      {"area", c.code},
                      {"source", chance() < 0.7 ? "patrol" : "sensor"},
                      {"description", "网格巡查发现：" + c.name + "附近占道堆放杂物"}};
    Reply r = exec(core::CommandType::create, clerk(hub->id), {}, std::move(args));
    if (!r.ok()) return;
    ++report_.created;
    truths_[r.order.number] = truth;
    handle(r.order, truth);
  }

  // What happens next to an order, by its state.
  void handle(const WorkOrder& o, const Truth& truth) {
    const std::string n = o.number;
    const Millis now = clock_.now();
    switch (o.status) {
      case core::Status::received:
        at(desk_time(now + uniform(2, 20) * core::kMinute), [this, n] { desk_received(n); });
        break;
      case core::Status::dispatched:
        schedule_claim(o);
        break;
      case core::Status::returned:
        at(desk_time(now + uniform(10, 90) * core::kMinute), [this, n] { desk_returned(n); });
        break;
      case core::Status::claimed:
        schedule_reply(o);
        break;
      case core::Status::replied:
        schedule_callbacks(o);
        break;
      case core::Status::visited:
        at(desk_time(now + uniform(1, 30) * core::kMinute), [this, n] {
          Reply r = exec(core::CommandType::close, op(), n, {});
          if (r.ok())
            ++report_.closed;
          else
            follow(r);
        });
        break;
      case core::Status::transferred_out: {
        at(work(now, uniform(1, 6) * core::kHour), [this, n] {
          if (chance() < 0.9)
            exec(core::CommandType::external_ack, desk(), n, {{"reference", "GZ-" + n.substr(10)}});
        });
        at(work(now, uniform(2, 10) * 7 * core::kHour), [this, n] {
          follow(exec(core::CommandType::record_external_result, desk(), n,
                      {{"result", "对方平台已办结：已处理"}}));
        });
        break;
      }
      default:
        (void)truth;
        break;
    }
  }

  void follow(const Reply& r) {
    if (!r.ok()) return;
    auto it = truths_.find(r.order.number);
    Truth t = it != truths_.end() ? it->second : Truth{r.order.area, r.order.category};
    handle(r.order, t);
    // Orders changed in the same commit (吹哨's linked orders) are worked on too.
    for (const auto& other : r.also_changed) {
      if (auto h = store_.get_order(other);
          h && h->order.status == core::Status::dispatched && !truths_.count(other)) {
        truths_[other] = Truth{h->order.area, h->order.category};
        handle(h->order, truths_[other]);
      }
    }
  }

  std::optional<WorkOrder> load(const std::string& n) {
    auto h = store_.get_order(n);
    if (!h) return std::nullopt;
    return h->order;
  }

  // The desk looks at an order waiting for it.
  void desk_received(const std::string& n) {
    auto o = load(n);
    if (!o || o->status != core::Status::received) return;
    const Truth& t = truths_[n];
    if (o->proposal && !o->proposal->transfer_line.empty()) {
      // The operator confirms the emergency, or finds none and lets it go on.
      if (t.emergency || chance() < 0.5) {
        exec(core::CommandType::transfer_emergency, op(), n,
             {{"line", o->proposal->transfer_line}, {"reference", "SIM-" + n.substr(10)}});
        return;
      }
    }
    if (o->description.find("无具体诉求") != std::string::npos) {
      exec(core::CommandType::cancel, op(), n, {{"reason", "无效来电"}});
      return;
    }
    if (o->kind == core::Kind::consult && o->mode == core::Mode::immediate && chance() < 0.6) {
      double x = chance();
      follow(exec(core::CommandType::answer, op(), n,
                  {{"answer", "已按知识库答复办理流程"},
                   {"satisfaction", x < 0.9 ? "satisfied" : "basically_satisfied"}}));
      return;
    }
    if (t.outside || o->placement == "outside") {
      const auto& ps = rules_->deployment->platforms;
      if (!ps.empty()) {
        follow(exec(core::CommandType::transfer_out, desk(), n,
                    {{"platform", ps.front().code}, {"reason", "诉求地点不在本区"}}));
        return;
      }
      exec(core::CommandType::cancel, op(), n, {{"reason", "非本区事项，已告知来电人"}});
      return;
    }
    // The lead for where it really is.
    core::RouteInput in{o->kind, o->urgency, o->category, t.community, o->description};
    core::Route route = rules_->router->route(in);
    if (route.lead.empty()) return;
    json::object args{{"lead", route.lead}, {"assist", core::strings_json(route.assist)}};
    if (o->needs_review) {
      // The desk confirms the place: by correcting the order, or in the dispatch.
      if (chance() < 0.5) {
        Reply a = exec(core::CommandType::amend, desk(), n,
                       {{"reason", "电话核实地址"}, {"area", t.community}});
        if (!a.ok()) return;
      } else {
        args["area"] = t.community;
      }
    }
    if (chance() < 0.08 && o->mode == core::Mode::onsite && !route.assist.empty())
      args["mode"] = "coordinated";  // several parties: 积极办
    else if (chance() < 0.03)
      args["mode"] = "tracked";  // a long-standing problem: 跟踪办
    Reply r = exec(core::CommandType::dispatch, desk(), n, std::move(args));
    follow(r);
    if (r.ok() && chance() < 0.02) {
      // 改派: the desk learns it belongs to the street hub after all.
      const core::Area* street = rules_->router->areas().street_of(t.community);
      const core::Department* hub =
          street ? rules_->router->dept_at(rules_->deployment->fallback_type, street->code)
                 : nullptr;
      if (hub && hub->id != route.lead)
        at(desk_time(clock_.now() + uniform(20, 120) * core::kMinute), [this, n, to = hub->id] {
          follow(exec(core::CommandType::redispatch, desk(), n,
                      {{"lead", to}, {"reason", "属街道统筹事项，改派"}}));
        });
    }
  }

  void desk_returned(const std::string& n) {
    auto o = load(n);
    if (!o || o->status != core::Status::returned) return;
    std::string to = rules_->difficult_target(*o);
    follow(exec(core::CommandType::arbitrate, desk(), n,
                {{"lead", to}, {"ruling", "经研判，由属地街道统筹办理"}}));
  }

  // A department's clerk gets to the order in its queue, in working hours.
  void schedule_claim(const WorkOrder& o) {
    const std::string* lead = o.lead_dept();
    if (!lead) return;
    Dept& d = dept(*lead);
    Millis& clerk_free = d.next_clerk();
    Millis start = std::max(clock_.now(), clerk_free);
    // 签收 takes a clerk a few minutes, in working hours, behind the department's queue.
    Millis when =
        work(o, start,
             static_cast<Millis>(static_cast<double>(uniform(1, 12) * core::kMinute) * d.pace));
    clerk_free = when;
    const std::string n = o.number;
    const bool bounce = chance() < d.bounce && o.parent.empty();
    at(when, [this, n, bounce, dep = *lead] {
      auto cur = load(n);
      if (!cur || cur->status != core::Status::dispatched || !cur->lead_dept() ||
          *cur->lead_dept() != dep)
        return;
      if (bounce) {
        follow(exec(core::CommandType::return_order, clerk(dep), n,
                    {{"reason", "not_our_duty"}, {"comment", "非本部门职责"}}));
        return;
      }
      follow(exec(core::CommandType::claim, clerk(dep), n, {}));
    });
    // Assisting departments give their 协办意见 (积极办); a slow one may be waived.
    if (o.mode == core::Mode::coordinated) {
      for (const auto& a : o.depts) {
        if (a.role != core::DeptRole::assist) continue;
        Dept& ad = dept(a.dept);
        Millis t =
            work(clock_.now(),
                 static_cast<Millis>(static_cast<double>(uniform(1, 12) * core::kHour) * ad.pace));
        at(t, [this, n, who = a.dept] {
          exec(core::CommandType::assist_opinion, clerk(who), n,
               {{"text", "已会商，同意主办意见"}});
        });
      }
    }
  }

  // The clerk works the case; a slow one asks for more time; notes along the way.
  void schedule_reply(const WorkOrder& o) {
    const std::string* lead = o.lead_dept();
    if (!lead) return;
    Dept& d = dept(*lead);
    const std::string n = o.number, dep = *lead;
    const Millis now = clock_.now();
    Millis effort = core::kHour * (o.kind == core::Kind::consult      ? 2
                                   : o.kind == core::Kind::suggestion ? 6
                                                                      : 10);
    if (o.mode == core::Mode::tracked) effort *= 12;
    effort = static_cast<Millis>(static_cast<double>(effort) * d.pace * (0.3 + 2.2 * chance()));
    Millis start = std::max(now, d.next_clerk());
    Millis done = work(o, start, effort);
    // Progress notes: every few working days for 跟踪办, now and then otherwise.
    for (Millis t = work(now, 4 * 7 * core::kHour); t < done && o.mode == core::Mode::tracked;
         t = work(t, 4 * 7 * core::kHour))
      at(t, [this, n, dep] {
        exec(core::CommandType::note, clerk(dep), n, {{"text", "持续跟踪中，已协调相关单位"}});
      });
    if (o.mode != core::Mode::tracked && chance() < 0.15)
      at(work(now, effort / 3), [this, n, dep] {
        exec(core::CommandType::note, clerk(dep), n, {{"text", "已现场核查，正在处理"}});
      });
    // 吹哨: a street hub calls a district department in on a knotty one.
    if (o.depts.size() == 1 && clerk(dep).role == core::Role::coordinator && chance() < 0.12) {
      at(work(now, effort / 4), [this, n, dep] {
        auto cur = load(n);
        if (!cur || cur->status != core::Status::claimed) return;
        core::RouteInput in{cur->kind, cur->urgency, cur->category,
                            rules_->router->areas().district()->code, cur->description};
        core::Route r = rules_->router->route(in);
        if (!r.lead.empty() && r.lead != dep)
          follow(
              exec(core::CommandType::whistle, clerk(dep), n,
                   {{"depts", json::array{json::string(r.lead)}}, {"comment", "需职能部门到场"}}));
      });
    }
    // Running late: a slow department asks for an extension before the deadline.
    if (o.reply_due && done > o.reply_due && o.reply_due - 3 * core::kHour > now &&
        chance() < 0.5 && d.profile != "diligent") {
      at(o.reply_due - 3 * core::kHour, [this, n, dep, done] {
        auto cur = load(n);
        if (!cur || cur->status != core::Status::claimed || cur->extension) return;
        Millis want = std::max(done + core::kHour, cur->reply_due + core::kHour);
        if (rules_->sla) want = std::min(want, rules_->sla->max_extended_due(*cur));
        if (want <= cur->reply_due) return;
        Reply r = exec(core::CommandType::request_extension, clerk(dep), n,
                       {{"reason", "需协调产权单位"}, {"new_due", want}});
        if (!r.ok()) return;
        at(desk_time(clock_.now() + uniform(10, 120) * core::kMinute), [this, n] {
          bool yes = chance() < 0.8;
          json::object args{{"approve", yes}};
          if (!yes) args["comment"] = "理由不充分，请按期办结";
          exec(core::CommandType::decide_extension, desk(), n, std::move(args));
        });
      });
    }
    // A leader 督办s what runs late.
    if (o.reply_due && done > o.reply_due && chance() < 0.3)
      at(o.reply_due + core::kHour, [this, n] {
        exec(core::CommandType::supervise, leader(), n, {{"comment", "请加快办理并报告进展"}});
      });
    at(done, [this, n, dep] { reply(n, dep); });
  }

  void reply(const std::string& n, const std::string& dep) {
    auto cur = load(n);
    if (!cur || cur->status != core::Status::claimed || !cur->lead_dept() ||
        *cur->lead_dept() != dep)
      return;
    if (cur->mode == core::Mode::coordinated && !cur->missing_opinions().empty()) {
      // Still missing 协办意见: the desk waives them after asking once.
      exec(core::CommandType::waive_opinions, desk(), n,
           {{"reason", "协办单位逾期未反馈，由主办单位办结"}});
    }
    json::object args{{"result", "已核实并处理完毕"}};
    if (cur->mode == core::Mode::onsite)
      args["onsite"] = {{"at", clock_.now() - core::kHour},
                        {"by", "模拟承办人"},
                        {"place", cur->address.empty() ? "现场" : cur->address}};
    if (cur->mode == core::Mode::published)
      args["public_result"] = "问题已处理，处理结果向社会公开";
    follow(exec(core::CommandType::reply, clerk(dep), n, std::move(args)));
  }

  // After one caller's call-back: the order moves on once every caller has an outcome.
  void done_calling(const Reply& r) {
    if (r.ok() && r.order.status != core::Status::replied) follow(r);
  }

  // The hotline calls every caller back in its hours; some never answer.
  void schedule_callbacks(const WorkOrder& o) {
    const std::string n = o.number;
    const Truth t = truths_.count(n) ? truths_[n] : Truth{};
    const std::string* lead = o.lead_dept();
    const double quality = lead ? dept(*lead).quality : 0.95;
    const bool late = o.reply_due && o.replied_at > o.reply_due;
    const int bounced = o.return_count + o.reopen_count;  // being passed around tries patience
    std::vector<std::string> who{""};
    for (const auto& c : o.callers) who.push_back(c.from);
    if (!o.has_contact()) {
      at(desk_time(clock_.now() + core::kHour), [this, n] {
        Reply r = exec(core::CommandType::close, op(), n, {});
        if (r.ok()) ++report_.closed;
      });
      return;
    }
    for (const auto& caller : who) {
      if (caller.empty() && o.citizen.phone.empty()) continue;
      const bool reachable = caller.empty() ? t.reachable : chance() > 0.06;
      Millis first = desk_time(clock_.now() + uniform(1, 8) * core::kHour);
      if (!reachable) {
        // Three calls over two working days, then unreachable.
        for (int i = 0; i < 3; ++i)
          at(desk_time(work(first, i * 5 * core::kHour)), [this, n, caller] {
            json::object args{{"note", "无人接听"}};
            if (!caller.empty()) args["caller"] = caller;
            done_calling(exec(core::CommandType::callback_failed, op(), n, std::move(args)));
          });
        continue;
      }
      // Satisfaction follows what happened: solved or not, on time or late.
      const bool solved = chance() < quality;
      const char* sat = !solved        ? "unsatisfied"
                        : bounced >= 2 ? (chance() < 0.5 ? "unsatisfied" : "basically_satisfied")
                        : late || bounced == 1 ? "basically_satisfied"
                        : chance() < 0.93      ? "satisfied"
                                               : "basically_satisfied";
      at(first, [this, n, caller, solved, sat] {
        json::object args{{"solved", solved}, {"satisfaction", sat}};
        if (!caller.empty()) args["caller"] = caller;
        done_calling(exec(core::CommandType::visit, op(), n, std::move(args)));
      });
    }
  }

  Engine& engine_;
  db::Store& store_;
  core::Clock& clock_;
  core::FakeClock* fake_ = nullptr;
  std::shared_ptr<const core::RuleSet> rules_;
  const core::Calendar* calendar_ = nullptr;
  SimOptions opts_;
  std::mt19937_64 rng_;
  std::priority_queue<Action, std::vector<Action>, std::greater<>> queue_;
  long seq_ = 0;
  std::vector<std::string> leaves_;
  std::vector<const core::Area*> communities_;
  std::map<std::string, std::vector<std::string>> places_;
  std::map<std::string, std::vector<const core::RoadSegment*>> roads_;
  std::map<std::string, Dept> depts_;
  std::map<std::string, Truth> truths_;
  std::vector<std::string> recent_;
  SimReport report_;
};

}  // namespace

SimReport simulate(Engine& engine, db::Store& store, core::Clock& clock,
                   std::shared_ptr<const core::RuleSet> rules, const SimOptions& opts) {
  return Sim(engine, store, clock, std::move(rules), opts).run();
}

}  // namespace huying::app
