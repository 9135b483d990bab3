#include "dispatcher/app/load.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <queue>
#include <random>
#include <thread>
#include <unordered_map>

#include "dispatcher/app/http_client.hpp"
#include "dispatcher/app/rules.hpp"

namespace huying::app {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kTexts[] = {
    "已经持续一周，影响休息，请尽快处理", "多次反映仍未解决，请督促",
    "老人小孩经过很危险，希望尽快处理",   "影响居民正常生活，请核实处理",
    "晚上十点后还很吵，严重扰民",         "希望有关部门尽快派人查看"};

struct Principal {
  std::string user, password;
};

struct Task {
  Clock::time_point at;
  std::uint64_t seq;
  std::function<void()> fn;
  bool operator>(const Task& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

struct Stats {
  std::mutex mu;
  long created = 0, create_failures = 0, retries = 0;
  std::map<std::string, long> ok, refused;
  std::vector<double> create_ms;
};

class Load {
 public:
  explicit Load(const LoadOptions& o) : opts_(o), rng_(o.seed) {}

  int run() {
    auto loaded = load_rules(opts_.config_dir);
    for (const auto& e : loaded.errors) spdlog::error("config: {}", e.to_string());
    if (!loaded.ok()) return 2;
    d_ = loaded.deployment;
    for (const auto& c : d_->categories)
      if (c.leaf) leaves_.push_back(c.path);
    for (const auto& a : d_->areas)
      if (a.level == core::AreaLevel::community) communities_.push_back(&a);
    for (const auto& a : d_->areas) names_[a.code] = a.name;
    for (const auto& p : d_->places) places_[p.community].push_back(p.name);
    if (leaves_.empty() || communities_.empty()) {
      spdlog::error("load: the config needs leaf categories and communities");
      return 2;
    }
    // One URL, or several (a dispatcher and its standbys), comma-separated.
    for (std::size_t at = 0; at <= opts_.url.size();) {
      auto comma = opts_.url.find(',', at);
      if (comma == std::string::npos) comma = opts_.url.size();
      std::string u = opts_.url.substr(at, comma - at);
      std::string host;
      unsigned short port = 0;
      if (!parse_url(u, host, port)) {
        spdlog::error("load: --url must look like http://127.0.0.1:8080[,http://…]");
        return 2;
      }
      urls_.push_back(u);
      at = comma + 1;
    }
    if (!make_users()) return 1;
    if (!opts_.acked_path.empty()) acked_.open(opts_.acked_path, std::ios::app);

    const auto t0 = Clock::now();
    // The calls, paced at --rate.
    const double rate = std::max(0.001, opts_.rate);
    std::thread pacer([this, t0, rate] {
      for (long i = 0;; ++i) {
        auto at =
            t0 + std::chrono::microseconds(static_cast<long>(1e6 * static_cast<double>(i) / rate));
        if (over(at)) break;
        std::this_thread::sleep_until(at);
        if (stopping()) break;
        schedule(0, [this] { call_in(); });
      }
    });
    std::vector<std::thread> workers;
    for (int i = 0; i < std::max(1, opts_.connections); ++i)
      workers.emplace_back([this] { work(); });
    // Progress.
    long last = 0;
    while (!stopping() && !over(Clock::now())) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      if (opts_.quiet) continue;
      std::lock_guard lk(stats_.mu);
      const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
      if (static_cast<long>(secs) % 5 == 0 && static_cast<long>(secs) != last) {
        last = static_cast<long>(secs);
        std::fprintf(stderr, "load: %.0f s: %ld calls logged, %ld retried, %ld failed\n", secs,
                     stats_.created, stats_.retries, stats_.create_failures);
      }
    }
    pacer.join();
    {
      std::lock_guard lk(mu_);
      done_ = true;  // the queue drains what is due now; later follow-ups are dropped
    }
    cv_.notify_all();
    for (auto& w : workers) w.join();
    report(std::chrono::duration<double>(Clock::now() - t0).count());
    return stats_.created > 0 ? 0 : 1;
  }

 private:
  bool stopping() const { return opts_.stop && opts_.stop->load(); }
  bool over(Clock::time_point t) const {
    return stopping() ||
           (opts_.duration > 0 && t - start_ > std::chrono::duration<double>(opts_.duration));
  }

  // --- the worker pool and its timed queue
  void schedule(double delay_s, std::function<void()> fn) {
    {
      std::lock_guard lk(mu_);
      if (done_) return;
      queue_.push({Clock::now() + std::chrono::microseconds(static_cast<long>(delay_s * 1e6)),
                   seq_++, std::move(fn)});
    }
    cv_.notify_one();
  }

  void work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock lk(mu_);
        for (;;) {
          if (queue_.empty()) {
            if (done_) return;
            cv_.wait(lk);
            continue;
          }
          auto at = queue_.top().at;
          // At the end of --duration the queue drains what is due now; when
          // stopped (SIGTERM), nothing new starts (a call already being
          // logged is seen through by its own retry loop).
          if (done_ && (at > Clock::now() || stopping())) return;
          if (at <= Clock::now()) break;
          cv_.wait_until(lk, at);
        }
        fn = queue_.top().fn;
        queue_.pop();
      }
      fn();
    }
  }

  // --- HTTP as one of the principals (each thread its own connection and sessions)
  struct Conn {
    std::vector<std::unique_ptr<HttpClient>> http;  // one per URL
    std::map<std::string, std::string> tokens;      // user -> bearer token
  };
  Conn& conn() {
    thread_local std::map<const Load*, Conn> conns;
    auto& c = conns[this];
    if (c.http.empty())
      for (const auto& u : urls_) c.http.push_back(std::make_unique<HttpClient>(u));
    return c;
  }

  // With several URLs: the one answering (no answer or 503 from the
  // current one moves every thread on to the next; the caller retries).
  HttpReply send(const Principal& p, const std::string& method, const std::string& target,
                 const json::value& body, std::vector<std::pair<std::string, std::string>> h = {}) {
    const std::size_t at = current_.load();
    last_url_ = at % urls_.size();
    HttpReply r = send_to(last_url_, p, method, target, body, std::move(h));
    if ((r.status == 0 || r.status == 503) && urls_.size() > 1) {
      std::size_t expected = at;
      current_.compare_exchange_strong(expected, at + 1);
    }
    return r;
  }

  HttpReply send_to(std::size_t url, const Principal& p, const std::string& method,
                    const std::string& target, const json::value& body,
                    std::vector<std::pair<std::string, std::string>> h) {
    auto& c = conn();
    HttpClient& http = *c.http[url];
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto& tok = c.tokens[p.user];
      if (tok.empty()) {
        auto r =
            http.request("POST", "/api/v1/session",
                         json::serialize(json::object{{"user", p.user}, {"password", p.password}}),
                         {{"Content-Type", "application/json"}});
        if (r.status != 200) return r;
        tok = std::string(json::parse(r.body).at("token").as_string());
      }
      auto hh = h;
      hh.emplace_back("Authorization", "Bearer " + tok);
      if (!body.is_null()) hh.emplace_back("Content-Type", "application/json");
      auto r = http.request(method, target, body.is_null() ? "" : json::serialize(body), hh);
      if (r.status == 401) {  // the session ended (e.g. a restart lost nothing, but expiry)
        tok.clear();
        continue;
      }
      return r;
    }
    return {};
  }

  bool make_users() {
    auto colon = opts_.admin.find(':');
    if (colon == std::string::npos) {
      spdlog::error("load: --admin must be USER:PASSWORD");
      return false;
    }
    // With several URLs: the first that signs us in (a standby answers 503).
    std::unique_ptr<HttpClient> admin_http;
    HttpReply in;
    for (std::size_t i = 0; i < urls_.size(); ++i) {
      admin_http = std::make_unique<HttpClient>(urls_[i]);
      in = admin_http->request(
          "POST", "/api/v1/session",
          json::serialize(json::object{{"user", opts_.admin.substr(0, colon)},
                                       {"password", opts_.admin.substr(colon + 1)}}),
          {{"Content-Type", "application/json"}});
      if (in.status == 200) {
        current_ = i;
        break;
      }
    }
    HttpClient& admin = *admin_http;
    if (in.status != 200) {
      spdlog::error("load: cannot sign in as {} at {}: {} {}", opts_.admin.substr(0, colon),
                    opts_.url, in.status, in.status ? in.body : in.error);
      return false;
    }
    const std::string token(json::parse(in.body).at("token").as_string());
    std::uniform_int_distribution<unsigned long> any;
    const std::string password = "load-" + std::to_string(any(rng_));
    auto ensure = [&](const std::string& id, const char* role, const std::string& dept,
                      const std::string& area) {
      json::object u{{"id", id}, {"name", "压测 " + id}, {"role", role}, {"password", password}};
      if (!dept.empty()) u["dept"] = dept;
      if (!area.empty()) u["area"] = area;
      std::vector<std::pair<std::string, std::string>> h{{"Authorization", "Bearer " + token},
                                                         {"Content-Type", "application/json"}};
      // A server restarting meanwhile is waited for (a minute at most).
      auto req = [&](const char* method, const std::string& target, const json::object& b) {
        HttpReply r;
        for (int i = 0; i < 600; ++i) {
          r = admin.request(method, target, json::serialize(b), h);
          if (r.status != 0 && r.status < 500) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return r;
      };
      auto r = req("POST", "/api/v1/admin/users", u);
      if (r.status == 409) {
        u.erase("id");
        r = req("PATCH", "/api/v1/admin/users/" + id, u);
      }
      if (r.status / 100 != 2) {
        spdlog::error("load: cannot make user {}: {} {}", id, r.status, r.body);
        return false;
      }
      return true;
    };
    if (!ensure("load-op", "operator", "", "") || !ensure("load-desk", "dispatcher", "", ""))
      return false;
    op_ = {"load-op", password};
    desk_ = {"load-desk", password};
    for (const auto& dep : d_->departments) {
      const bool hub = dep.type == d_->fallback_type;
      std::string street = hub ? dep.area : std::string();
      if (hub && (street.size() != 12)) continue;
      if (!ensure("load-" + dep.id, hub ? "coordinator" : "clerk", dep.id, street)) return false;
      dept_users_[dep.id] = {"load-" + dep.id, password};
    }
    start_ = Clock::now();
    return true;
  }

  double delay(double mean_s) {
    if (opts_.delay_scale <= 0) return -1;
    std::exponential_distribution<double> e(1.0 / (mean_s * opts_.delay_scale));
    std::lock_guard lk(rng_mu_);
    return e(rng_);
  }
  double chance() {
    std::lock_guard lk(rng_mu_);
    return std::uniform_real_distribution<double>(0, 1)(rng_);
  }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    std::lock_guard lk(rng_mu_);
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng_)];
  }

  void count(const std::string& cmd, bool ok) {
    std::lock_guard lk(stats_.mu);
    ++(ok ? stats_.ok : stats_.refused)[cmd];
  }

  // --- the life of one call
  struct Order {
    std::string number;
    std::string community;
    std::string lead;
    std::string mode;
    std::string kind;
    std::int64_t version = 0;
  };

  void call_in() {
    const core::Area* com = pick(communities_);
    const std::string& category = pick(leaves_);
    const double k = chance();
    const char* kind = k < 0.45   ? "complaint"
                       : k < 0.65 ? "help"
                       : k < 0.80 ? "consult"
                       : k < 0.90 ? "report"
                                  : "suggestion";
    std::string street = names_[com->parent];
    std::string address = street + com->name;
    auto pl = places_.find(com->code);
    if (pl != places_.end() && !pl->second.empty() && chance() < 0.7) address += pick(pl->second);
    const std::string leaf = category.substr(category.rfind('/') + 1);
    std::string phone;
    {
      std::lock_guard lk(rng_mu_);
      phone = "1380000" + std::to_string(1000 + std::uniform_int_distribution<int>(0, 8999)(rng_));
    }
    // A few are urgent (30 minutes to claim, in natural time).
    const bool urgent = chance() < 0.03;
    json::object body{{"kind", kind},
                      {"urgency", urgent ? "urgent" : "normal"},
                      {"category", category},
                      {"address", address},
                      {"description", address + leaf + "，" + pick(texts_)},
                      {"citizen", {{"name", "市民"}, {"phone", phone}}}};
    std::string key;
    {
      std::lock_guard lk(rng_mu_);
      key = "load-" + std::to_string(opts_.seed) + "-" + std::to_string(rng_()) + "-" +
            std::to_string(key_seq_++);
    }
    // Until acknowledged: the same key, so a retry never makes a second order.
    const auto t0 = Clock::now();
    HttpReply r;
    for (int attempt = 0;; ++attempt) {
      r = send(op_, "POST", "/api/v1/orders", body, {{"Idempotency-Key", key}});
      if (r.status == 201) break;
      const bool retry = r.status == 0 || r.status >= 500 || r.status == 429;
      // A call already being logged is seen through even when stopping:
      // once started, it is acknowledged or counted as failed, never left
      // half-known (the kill -9 test counts on it).
      if (!retry || attempt > 600) {
        std::lock_guard lk(stats_.mu);
        ++stats_.create_failures;
        if (r.status) spdlog::warn("load: create refused: {} {}", r.status, r.body);
        return;
      }
      {
        std::lock_guard lk(stats_.mu);
        ++stats_.retries;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    auto doc = json::parse(r.body).as_object();
    auto& o = doc.at("order").as_object();
    Order ord;
    ord.number = std::string(o.at("number").as_string());
    ord.version = o.at("version").to_number<std::int64_t>();
    ord.community = com->code;
    ord.mode = std::string(o.at("mode").as_string());
    ord.kind = kind;
    if (auto* p = o.if_contains("proposal"); p && p->is_object())
      ord.lead = std::string(p->at("lead").as_string());
    const std::string status(o.at("status").as_string());
    {
      std::lock_guard lk(stats_.mu);
      ++stats_.created;
      stats_.create_ms.push_back(ms);
      if (acked_.is_open()) {
        acked_ << ord.number << " " << key << " "
               << std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count()
               << " " << urls_[last_url_] << "\n";
        acked_.flush();
      }
    }
    auto next = delay(2);
    if (next < 0) return;
    if (status == "dispatched") {
      // Dispatched at once (the district dispatches confidently placed calls).
      const auto& depts = o.at("depts").as_array();
      if (depts.empty()) return;
      ord.lead = std::string(depts[0].at("dept").as_string());
      if (dept_users_.count(ord.lead)) schedule(next, [this, ord]() mutable { claim(ord); });
    } else if (status == "received" && ord.kind == "consult" && ord.mode == "immediate") {
      schedule(next, [this, ord]() mutable { answer(ord); });
    } else if (status == "received") {
      schedule(next, [this, ord]() mutable { dispatch(ord); });
    }
  }

  // One command with the order's version; a stale version is re-read once.
  bool act(const Principal& p, Order& o, const std::string& cmd, json::object args) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      args["version"] = o.version;
      auto r = send(p, "POST", "/api/v1/orders/" + o.number + "/" + cmd, args);
      if (r.status == 200) {
        o.version = json::parse(r.body).at("order").at("version").to_number<std::int64_t>();
        count(cmd, true);
        return true;
      }
      if (r.status == 409 && r.body.find("stale_version") != std::string::npos) {
        o.version = json::parse(r.body).at("current").at("version").to_number<std::int64_t>();
        continue;
      }
      count(cmd, false);
      spdlog::debug("load: {} {} -> {} {}", cmd, o.number, r.status, r.body);
      return false;
    }
    return false;
  }

  void answer(Order o) {
    if (act(op_, o, "answer",
            {{"answer", "已在电话中解答"}, {"solved", true}, {"satisfaction", "satisfied"}}))
      schedule(delay(1), [this, o]() mutable { act(op_, o, "close", {}); });
  }

  std::string street_hub(const std::string& community) const {
    for (const auto& dep : d_->departments)
      if (dep.type == d_->fallback_type && community.compare(0, 9, dep.area, 0, 9) == 0)
        return dep.id;
    return d_->arbitration_dept;
  }

  void dispatch(Order o) {
    if (o.lead.empty() || !dept_users_.count(o.lead)) o.lead = street_hub(o.community);
    if (!dept_users_.count(o.lead)) return;
    if (!act(desk_, o, "dispatch", {{"lead", o.lead}, {"area", o.community}})) return;
    schedule(delay(5), [this, o]() mutable { claim(o); });
  }

  void claim(Order o) {
    const Principal& clerk = dept_users_.at(o.lead);
    if (chance() < 0.03) {
      // Not ours: returned, and the desk rules it the street's.
      if (!act(clerk, o, "return", {{"reason", "not_our_duty"}, {"comment", "非本部门职责"}}))
        return;
      schedule(delay(3), [this, o]() mutable {
        o.lead = street_hub(o.community);
        if (!dept_users_.count(o.lead)) return;
        if (act(desk_, o, "arbitrate", {{"lead", o.lead}, {"ruling", "属地街道办理"}}))
          schedule(delay(5), [this, o]() mutable { claim(o); });
      });
      return;
    }
    if (!act(clerk, o, "claim", {})) return;
    schedule(delay(20), [this, o]() mutable { reply(o); });
  }

  void reply(Order o) {
    const Principal& clerk = dept_users_.at(o.lead);
    if (o.mode == "coordinated")
      act(desk_, o, "waive_opinions", {{"reason", "协办单位逾期未反馈"}});
    json::object args{{"result", "已核实并处理完毕"}};
    if (o.mode == "onsite")
      args["onsite"] = {{"at", std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                       .count() -
                                   60000},
                        {"by", "压测承办人"},
                        {"place", "现场"}};
    if (o.mode == "public") args["public_result"] = "问题已处理";
    if (!act(clerk, o, "reply", std::move(args))) return;
    schedule(delay(10), [this, o]() mutable { visit(o); });
  }

  void visit(Order o) {
    if (chance() < 0.05) {
      act(op_, o, "callback_failed", {{"note", "无人接听"}});
      schedule(delay(10), [this, o]() mutable { visit(o); });
      return;
    }
    const bool satisfied = chance() < 0.94;
    if (!act(op_, o, "visit",
             {{"solved", satisfied}, {"satisfaction", satisfied ? "satisfied" : "unsatisfied"}}))
      return;
    if (satisfied) schedule(delay(2), [this, o]() mutable { act(op_, o, "close", {}); });
  }

  void report(double secs) {
    std::lock_guard lk(stats_.mu);
    auto& v = stats_.create_ms;
    std::sort(v.begin(), v.end());
    auto q = [&](double p) {
      return v.empty() ? 0.0
                       : v[std::min(v.size() - 1,
                                    static_cast<std::size_t>(p * static_cast<double>(v.size())))];
    };
    std::printf("load: %ld calls logged in %.1f s (%.1f/s), %ld retried, %ld failed\n",
                stats_.created, secs, static_cast<double>(stats_.created) / std::max(secs, 0.001),
                stats_.retries, stats_.create_failures);
    std::printf("create latency: p50 %.1f ms, p99 %.1f ms\n", q(0.5), q(0.99));
    std::printf("commands accepted:");
    for (const auto& [c, n] : stats_.ok) std::printf(" %s=%ld", c.c_str(), n);
    std::printf("\ncommands refused:");
    if (stats_.refused.empty()) std::printf(" none");
    for (const auto& [c, n] : stats_.refused) std::printf(" %s=%ld", c.c_str(), n);
    std::printf("\n");
    json::object j{{"created", stats_.created}, {"failed", stats_.create_failures},
                   {"retried", stats_.retries}, {"seconds", secs},
                   {"p50_ms", q(0.5)},          {"p99_ms", q(0.99)}};
    std::printf("%s\n", json::serialize(j).c_str());
    std::fflush(stdout);
  }

  LoadOptions opts_;
  std::shared_ptr<const core::Deployment> d_;
  std::vector<std::string> leaves_;
  const std::vector<std::string> texts_{std::begin(kTexts), std::end(kTexts)};
  std::vector<const core::Area*> communities_;
  std::unordered_map<std::string, std::string> names_;
  std::unordered_map<std::string, std::vector<std::string>> places_;
  Principal op_, desk_;
  std::map<std::string, Principal> dept_users_;
  Clock::time_point start_ = Clock::now();

  std::mutex rng_mu_;
  std::mt19937_64 rng_;
  std::uint64_t key_seq_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Task, std::vector<Task>, std::greater<>> queue_;
  std::uint64_t seq_ = 0;
  bool done_ = false;

  std::ofstream acked_;
  std::vector<std::string> urls_;             // --url, split at commas
  std::atomic<std::size_t> current_{0};       // the one answering (modulo urls_.size())
  static thread_local std::size_t last_url_;  // the URL of this thread's last request
  Stats stats_;
};

}  // namespace

thread_local std::size_t Load::last_url_ = 0;

int load(const LoadOptions& opts) {
  Load l(opts);
  return l.run();
}

}  // namespace huying::app
