// Store benchmark: durable commits per second through the group-committing
// writer with 1, 8 and 64 concurrent submitters (each waits for its ack before
// the next submit, like a request), beside the bare SQLite limit measured in
// the same run: the same rows inserted by a plain loop in transactions of
// 1000, WAL, synchronous=FULL.
//
//   bench_store DIR [SECONDS_PER_CASE] [ROUNDS]
// Last line: one JSON object (see README, Benchmarks).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "db/sqlite.hpp"
#include "db/store.hpp"

using namespace huying;
namespace json = boost::json;
using clk = std::chrono::steady_clock;

namespace {

core::WorkOrder sample_order(std::int64_t id) {
  core::WorkOrder o;
  o.id = id;
  char buf[32];
  std::snprintf(buf, sizeof buf, "HY20261124%06lld", static_cast<long long>(id));
  o.number = buf;
  o.kind = core::Kind::complaint;
  o.category = "城市管理/市容环境/占道经营";
  o.area = "440605001003";
  o.address = "桂澜路88号";
  o.title = "夜市摊贩占道经营";
  o.description = "桂澜路夜市摊贩占道经营，晚上十点后仍很吵，希望尽快处理。";
  o.citizen = {"张三", "13812345678", ""};
  o.created_at = o.updated_at = 1764554400000 + id;
  o.version = 1;
  return o;
}

core::Event sample_event(const core::WorkOrder& o) {
  core::Event e;
  e.order = o.number;
  e.seq = 1;
  e.at = o.created_at;
  e.actor = {"op1", core::Role::operator_, "", ""};
  e.type = core::EventType::created;
  e.data = {{"number", o.number}, {"kind", "complaint"}, {"description", o.description}};
  return e;
}

// The bare limit: the same rows, plain prepared inserts, 1000 per transaction.
double bare_rate(const std::string& path, int rows) {
  { auto s = db::open_sqlite_store({.path = path}); }  // schema
  db::Connection c(path, db::Connection::Mode::read_write);
  c.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  db::Statement ins_order(
      c,
      "INSERT INTO orders (id, number, status, open, kind, urgency, channel, "
      "category, area, lead_dept, created_at, updated_at, next_due, version, doc) "
      "VALUES (?,?,?,?,?,?,?,?,?,NULL,?,?,NULL,?,?)");
  db::Statement ins_event(c,
                          "INSERT INTO events (order_id, seq, at, actor, role, actor_dept, "
                          "actor_area, type, data) VALUES (?,?,?,?,?,?,?,?,?)");
  auto t0 = clk::now();
  for (int base = 0; base < rows; base += 1000) {
    db::Transaction tx(c);
    for (int i = base; i < std::min(rows, base + 1000); ++i) {
      auto o = sample_order(i + 1);
      auto e = sample_event(o);
      ins_order.bind(1, o.id).bind(2, o.number).bind(3, "received").bind(4, 1);
      ins_order.bind(5, "complaint").bind(6, "normal").bind(7, "hotline").bind(8, o.category);
      ins_order.bind(9, o.area).bind(10, o.created_at).bind(11, o.updated_at).bind(12, 1);
      ins_order.bind(13, json::serialize(core::to_json(o))).run();
      ins_event.bind(1, o.id).bind(2, 1).bind(3, e.at).bind(4, "op1").bind(5, "operator");
      ins_event.bind(6, "").bind(7, "").bind(8, "created").bind(9, json::serialize(e.data)).run();
    }
    tx.commit();
  }
  double secs = std::chrono::duration<double>(clk::now() - t0).count();
  return rows / secs;
}

struct GroupResult {
  double rate;
  double mean_group;
};

// `submitters` logical clients, each with one batch in flight: it submits the
// next only after the ack of the previous. Like the engine, one client thread
// builds and submits; acks come back to it through a queue (the store's
// completion runs on the writer thread and must not do the work itself).
GroupResult group_rate(const std::string& path, int submitters, double seconds) {
  auto s = db::open_sqlite_store({.path = path});
  std::mutex mu;
  std::condition_variable cv;
  std::deque<int> ready;  // clients whose previous batch was acked
  for (int i = 0; i < submitters; ++i) ready.push_back(i);
  std::int64_t next = 0;
  long acked = 0;
  const auto t0 = clk::now();
  const auto until =
      t0 + std::chrono::duration_cast<clk::duration>(std::chrono::duration<double>(seconds));
  int in_flight = submitters;  // the initial "ready" entries count as acks of nothing
  for (;;) {
    std::deque<int> batch;
    {
      std::unique_lock lk(mu);
      cv.wait(lk, [&] { return !ready.empty(); });
      batch.swap(ready);
      acked += static_cast<long>(batch.size());
    }
    in_flight -= static_cast<int>(batch.size());
    if (clk::now() >= until) {
      if (in_flight == 0) break;
      continue;
    }
    for (int client : batch) {
      auto o = sample_order(++next);
      db::Batch b;
      b.changes.push_back({o, {sample_event(o)}});
      ++in_flight;
      s->submit(std::move(b), [&, client](const db::CommitStatus&) {
        {
          std::lock_guard lk(mu);
          ready.push_back(client);
        }
        cv.notify_one();
      });
    }
  }
  double secs = std::chrono::duration<double>(clk::now() - t0).count();
  auto st = s->stats();
  // The first `submitters` entries of `ready` were not acks.
  return {(acked - submitters) / secs, st.transactions ? double(st.batches) / st.transactions : 0};
}

}  // namespace

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "var/bench";
  double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  spdlog::set_level(spdlog::level::warn);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  // fsync latency drifts on shared machines: run the cases interleaved, in
  // rounds, each on a fresh file, and compare medians.
  const std::vector<int> submitters = {1, 8, 64};
  std::vector<double> bare;
  std::map<int, std::vector<double>> rate, group;
  std::vector<double> ratio64;
  for (int r = 0; r < rounds; ++r) {
    std::string tag = std::to_string(r);
    double b = bare_rate(dir + "/bare" + tag + ".db", 50000);
    bare.push_back(b);
    std::printf("round %d: bare %8.0f commits/s", r + 1, b);
    for (int n : submitters) {
      auto g = group_rate(dir + "/group" + std::to_string(n) + "-" + tag + ".db", n, seconds);
      rate[n].push_back(g.rate);
      group[n].push_back(g.mean_group);
      std::printf(" | %2d: %7.0f (%.2f)", n, g.rate, g.rate / b);
      if (n == 64) ratio64.push_back(g.rate / b);
    }
    std::printf("\n");
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  double bare_m = median(bare);
  std::printf(
      "bare SQLite, 1000 rows per transaction, synchronous=FULL: %10.0f commits/s (median)\n",
      bare_m);
  json::object summary{{"bench", "store"},
                       {"metric", "durable_commits_per_s_at_64_submitters"},
                       {"unit", "commits/s"},
                       {"baseline", bare_m},
                       {"rounds", rounds}};
  for (int n : submitters) {
    double m = median(rate[n]);
    std::printf(
        "group commit, %2d submitters:                           %10.0f commits/s  "
        "(%.2f of bare, %.1f batches per transaction)\n",
        n, m, m / bare_m, median(group[n]));
    summary["rate_" + std::to_string(n)] = m;
    summary["group_size_" + std::to_string(n)] = median(group[n]);
    if (n == 64) {
      summary["value"] = m;
      summary["ratio"] = median(ratio64);  // median of the per-round ratios
    }
  }
  std::filesystem::remove_all(dir);
  std::printf("%s\n", json::serialize(summary).c_str());
}
