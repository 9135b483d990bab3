// Routing benchmark: decisions per second on one core, p50/p99 per decision,
// beside a bare loop that only hashes the same inputs, in the same run.
//
//   bench_routing CONFIG_DIR [DECISIONS]
// Last line: one JSON object with p50_us and p99_us.
#include <sched.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>

#include "dispatcher/config/config_load.hpp"
#include "dispatcher/core/routing.hpp"

using namespace huying::core;
using clk = std::chrono::steady_clock;

namespace {

struct Stats {
  double p50_ns, p99_ns, mean_ns, per_s;
};

// Times fn(i) for every input: per call (for percentiles) and in one batch (rate).
template <class F>
Stats measure(std::size_t n, F&& fn) {
  std::vector<double> ns(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto t0 = clk::now();
    fn(i);
    ns[i] = std::chrono::duration<double, std::nano>(clk::now() - t0).count();
  }
  auto t0 = clk::now();
  for (std::size_t i = 0; i < n; ++i) fn(i);
  double secs = std::chrono::duration<double>(clk::now() - t0).count();
  std::vector<double> sorted = ns;
  std::sort(sorted.begin(), sorted.end());
  double sum = 0;
  for (double x : ns) sum += x;
  return {sorted[n / 2], sorted[n * 99 / 100], sum / n, n / secs};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_routing CONFIG_DIR [DECISIONS]\n");
    return 2;
  }
  std::size_t n = argc > 2 ? std::stoul(argv[2]) : 200000;
  // One core: pin to the first CPU we may use.
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  sched_setaffinity(0, sizeof set, &set);

  auto t0 = clk::now();
  auto res = load_deployment(argv[1]);
  if (!res.ok()) {
    for (const auto& e : res.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
  }
  double load_s = std::chrono::duration<double>(clk::now() - t0).count();
  auto rules = make_rule_set(res.deployment);
  const Router& router = *rules->router;
  const Deployment& d = *res.deployment;

  std::vector<const Area*> communities;
  for (const auto& a : d.areas)
    if (a.level == AreaLevel::community) communities.push_back(&a);
  std::vector<const Category*> leaves;
  for (const auto& c : d.categories)
    if (c.leaf) leaves.push_back(&c);
  const std::vector<std::string> texts = {
      "楼下夜市摊贩占道经营，晚上十点后还在营业，噪音很大，希望有关部门尽快处理",
      "小区电梯坏了一周没人修，老人上下楼很不方便，物业一直推脱",
      "工地凌晨还在施工，严重影响附近居民休息",
      "路灯不亮，晚上出行很危险，已经好几天了",
      "想咨询一下孩子明年上小学的学位申请需要准备哪些材料",
      "餐馆油烟直排到居民楼，窗户都不敢开",
      "老板拖欠工资三个月，多次讨要无果",
      "建议在地铁站附近增设公交接驳线路，方便居民出行",
      "Water pressure has been very low for a week in our building",
      "河涌发黑发臭，疑似有工厂偷排污水",
      "隔壁厨房着火了，冒浓烟",  // an emergency cue: about 1 in 11 inputs
  };
  std::mt19937 rng(7);
  std::vector<RouteInput> inputs(n);
  for (auto& in : inputs) {
    in.kind = static_cast<Kind>(rng() % 5);
    in.category = leaves[rng() % leaves.size()]->path;
    in.area = communities[rng() % communities.size()]->code;
    in.text = texts[rng() % texts.size()];
  }

  std::size_t sink = 0;
  // Warm up caches and the allocator.
  for (std::size_t i = 0; i < std::min<std::size_t>(n, 20000); ++i)
    sink += router.route(inputs[i]).lead.size();
  Stats route = measure(n, [&](std::size_t i) { sink += router.route(inputs[i]).lead.size(); });
  std::hash<std::string> h;
  Stats hash = measure(n, [&](std::size_t i) {
    sink += h(inputs[i].category) ^ h(inputs[i].area) ^ h(inputs[i].text);
  });

  std::printf("config: %zu areas, %zu departments, %zu overrides, loaded in %.2f s\n",
              d.areas.size(), d.departments.size(), d.overrides.size(), load_s);
  std::printf("routing: %10.0f decisions/s  p50 %.2f us  p99 %.2f us  mean %.2f us\n", route.per_s,
              route.p50_ns / 1000, route.p99_ns / 1000, route.mean_ns / 1000);
  std::printf("hash   : %10.0f inputs/s     p50 %.2f us  p99 %.2f us  mean %.2f us\n", hash.per_s,
              hash.p50_ns / 1000, hash.p99_ns / 1000, hash.mean_ns / 1000);
  std::printf("routing costs %.1fx the bare hash per input (mean)\n", route.mean_ns / hash.mean_ns);
  boost::json::object j{{"bench", "routing"},
                        {"metric", "p99_per_decision"},
                        {"value", route.p99_ns / 1000},
                        {"unit", "us"},
                        {"baseline", hash.p99_ns / 1000},
                        {"ratio", route.p99_ns / hash.p99_ns},
                        {"p50_us", route.p50_ns / 1000},
                        {"p99_us", route.p99_ns / 1000},
                        {"decisions_per_s", route.per_s},
                        {"hash_per_s", hash.per_s},
                        {"mean_ratio", route.mean_ns / hash.mean_ns},
                        {"decisions", n},
                        {"sink", sink % 10}};
  std::printf("%s\n", boost::json::serialize(j).c_str());
}
