// Timer-queue benchmark: 1,000,000 open orders, each with a claim or handling
// deadline. Memory per order (RSS), time to rebuild the queue from stored
// deadlines (including the working-time 黄灯 instant of each), and
// pop/reschedule throughput, beside a bare std::priority_queue of the same
// deadlines in the same run.
//
//   bench_timers HOLIDAY_DIR [ORDERS]
// Last line: one JSON object with bytes_per_order and rebuild_s.
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <queue>
#include <random>
#include <sstream>

#include "dispatcher/core/sla.hpp"
#include "dispatcher/core/sla_clock.hpp"
#include "dispatcher/core/timer_queue.hpp"

using namespace huying::core;
using clk = std::chrono::steady_clock;

namespace {
long rss_bytes() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * 4096;
}
double since(clk::time_point t) { return std::chrono::duration<double>(clk::now() - t).count(); }
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_timers HOLIDAY_DIR [ORDERS]\n");
    return 2;
  }
  const std::size_t n = argc > 2 ? std::stoul(argv[2]) : 1000000;
  SlaConfig cfg;
  cfg.rules = default_sla_rules();
  for (const auto& f : std::filesystem::directory_iterator(argv[1])) {
    if (f.path().extension() != ".json") continue;
    std::ifstream in(f.path());
    std::stringstream ss;
    ss << in.rdbuf();
    cfg.holidays.push_back(parse_holiday_year(ss.str()));
  }
  ConfiguredSlaPolicy sla(cfg);

  // Stored deadlines: half dispatched (claim clock), half claimed (reply clock).
  struct Stored {
    std::uint32_t id;
    Status status;
    Kind kind;
    Millis start, due;
  };
  std::mt19937_64 rng(3);
  const Millis t0 = shanghai_time({2025, 6, 2}, 9, 0);
  std::vector<Stored> stored(n);
  WorkOrder probe;
  for (std::size_t i = 0; i < n; ++i) {
    auto& s = stored[i];
    s.id = static_cast<std::uint32_t>(i + 1);
    s.status = i % 2 ? Status::claimed : Status::dispatched;
    s.kind = static_cast<Kind>(rng() % 5);
    s.start = t0 + static_cast<Millis>(rng() % (90ull * kDay));
    probe.kind = s.kind;
    s.due = s.status == Status::dispatched ? sla.claim_due(probe, s.start)
                                           : sla.reply_due(probe, s.start);
  }

  // Rebuild: each order's next instant (its 黄灯 in working time), then build.
  long rss0 = rss_bytes();
  auto t = clk::now();
  std::vector<TimerQueue::Entry> entries;
  entries.reserve(n);
  for (const auto& s : stored) {
    probe.kind = s.kind;
    entries.push_back({sla.warn_at(probe, s.start, s.due), s.id});
  }
  TimerQueue q;
  q.build(std::move(entries));
  double rebuild_s = since(t);
  std::vector<TimerQueue::Entry>().swap(entries);
  long rss_q = rss_bytes() - rss0;
  double bytes_per_order =
      static_cast<double>(std::max<long>(rss_q, static_cast<long>(q.memory_bytes()))) / n;

  // Reschedule throughput: move every order to its breach instant.
  t = clk::now();
  for (const auto& s : stored) q.schedule(s.id, s.due);
  double resched_s = since(t);
  // Pop throughput: drain in deadline order.
  t = clk::now();
  std::size_t popped = 0;
  while (!q.empty()) popped += q.pop_due(INT64_MAX, 4096).size();
  double pop_s = since(t);

  // Baseline: std::priority_queue of the same deadlines (no index, no reschedule).
  long rss1 = rss_bytes();
  t = clk::now();
  std::vector<std::pair<Millis, std::uint32_t>> raw;
  raw.reserve(n);
  for (const auto& s : stored) raw.emplace_back(s.due, s.id);
  std::priority_queue<std::pair<Millis, std::uint32_t>,
                      std::vector<std::pair<Millis, std::uint32_t>>, std::greater<>>
      pq(std::greater<>{}, std::move(raw));
  double pq_build_s = since(t);
  long rss_pq = rss_bytes() - rss1;
  t = clk::now();
  std::size_t pq_popped = 0;
  while (!pq.empty()) {
    pq.pop();
    ++pq_popped;
  }
  double pq_pop_s = since(t);

  std::printf("orders: %zu\n", n);
  std::printf(
      "timer queue: rebuild %.3f s (incl. working-time 黄灯 per order), %.1f bytes/order, "
      "reschedule %.0f/s, pop %.0f/s\n",
      rebuild_s, bytes_per_order, n / resched_s, popped / pop_s);
  std::printf("priority_queue baseline: build %.3f s, %.1f bytes/order, pop %.0f/s\n", pq_build_s,
              static_cast<double>(std::max<long>(rss_pq, static_cast<long>(n * 16))) / n,
              pq_pop_s ? pq_popped / pq_pop_s : 0);
  boost::json::object j{{"bench", "timers"},
                        {"metric", "rebuild_1M"},
                        {"value", rebuild_s},
                        {"unit", "s"},
                        {"baseline", pq_build_s},
                        {"ratio", rebuild_s / pq_build_s},
                        {"rebuild_s", rebuild_s},
                        {"bytes_per_order", bytes_per_order},
                        {"reschedule_per_s", n / resched_s},
                        {"pop_per_s", popped / pop_s},
                        {"pq_pop_per_s", pq_popped / pq_pop_s},
                        {"pop_ratio", (popped / pop_s) / (pq_popped / pq_pop_s)},
                        {"orders", n}};
  std::printf("%s\n", boost::json::serialize(j).c_str());
}
