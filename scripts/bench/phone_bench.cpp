// A caller's history by phone number with N orders stored (default
// 1,000,000), beside a lookup of one order by its number through the
// orders table's own unique index, measured in the same run on the same file.
//   bench_phone FILE [ORDERS] [LOOKUPS]
// Last line: {"bench": "phone", "metric": "p50", ..., "ratio": phone p50 / number p50}
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <vector>

#include "db/sqlite.hpp"
#include "db/store.hpp"
#include "dispatcher/core/lifecycle.hpp"

using namespace huying;
using Clock = std::chrono::steady_clock;

namespace {

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

// A phone as callers give it: sometimes +86, spaces or dashes.
std::string phone_text(long n, int style) {
  char buf[40];
  long a = 138 + n % 10, b = (n / 10) % 10000, c = (n / 100000) % 10000;
  switch (style % 4) {
    case 0:
      std::snprintf(buf, sizeof buf, "%03ld%04ld%04ld", a, b, c);
      break;
    case 1:
      std::snprintf(buf, sizeof buf, "+86 %03ld-%04ld-%04ld", a, b, c);
      break;
    case 2:
      std::snprintf(buf, sizeof buf, "%03ld %04ld %04ld", a, b, c);
      break;
    default:
      std::snprintf(buf, sizeof buf, "0086%03ld%04ld%04ld", a, b, c);
      break;
  }
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_phone FILE [ORDERS] [LOOKUPS]\n");
    return 2;
  }
  const std::string path = argv[1];
  const long orders = argc > 2 ? std::stol(argv[2]) : 1000000;
  const int lookups = argc > 3 ? std::stoi(argv[3]) : 20000;
  const long phones = std::max(1L, orders / 3);  // about three orders per caller
  std::mt19937_64 rng(7);

  namespace fs = std::filesystem;
  bool fresh = !fs::exists(path);
  auto store = db::open_sqlite_store({.path = path});
  if (store->max_order_id() < orders) {
    // Fill the file once through the real writer (later runs reuse it).
    fresh = true;
    core::NaturalSlaPolicy sla;
    const core::Actor op{"bench", core::Role::operator_, "", ""};
    const core::Millis t0 = 1735689600000;  // 2025-01-01
    auto start = Clock::now();
    std::int64_t id = store->max_order_id();
    while (id < orders) {
      db::Batch batch;
      for (int i = 0; i < 2000 && id < orders; ++i) {
        ++id;
        char number[32];
        std::snprintf(number, sizeof number, "HY%08d%06lld",
                      20250101 + static_cast<int>(id / 900000),
                      static_cast<long long>(id % 900000));
        core::DecideContext ctx;
        ctx.now = t0 + id * 30000;
        ctx.sla = &sla;
        ctx.allocate = [&] { return std::pair<std::int64_t, std::string>{id, number}; };
        boost::json::object args{
            {"kind", "complaint"},
            {"category", "城市管理/市容环境/占道经营"},
            {"description", "夜市摊贩占道经营，晚上很吵"},
            {"area", "440699001004"},
            {"citizen",
             {{"name", "市民"},
              {"phone", phone_text(static_cast<long>(rng() % phones), static_cast<int>(id))}}}};
        auto d = core::decide(nullptr, {core::CommandType::create, std::move(args)}, op, ctx);
        db::Change c;
        for (auto& e : d.events) {
          core::apply(c.order, e);
          c.events.push_back(std::move(e));
        }
        batch.changes.push_back(std::move(c));
      }
      store->submit(std::move(batch), nullptr);
      if (id % 100000 == 0)
        std::fprintf(stderr, "  %lld orders stored\n", static_cast<long long>(id));
    }
    store->flush();
    std::fprintf(stderr, "filled %ld orders in %.1f s\n", orders,
                 micros(Clock::now() - start) / 1e6);
  }
  (void)fresh;

  // Warm both indexes the same way, then interleave the two lookups.
  db::Connection conn(path, db::Connection::Mode::read_only);
  db::Statement by_number(
      conn, "SELECT number, status, kind, category, area, created_at FROM orders WHERE number = ?");
  std::vector<double> phone_us, number_us;
  std::size_t found = 0;
  for (int i = 0; i < lookups; ++i) {
    std::string phone = phone_text(static_cast<long>(rng() % phones), i);
    auto t = Clock::now();
    auto hits = store->orders_by_phone(phone, 20);
    phone_us.push_back(micros(Clock::now() - t));
    found += hits.size();

    long id = 1 + static_cast<long>(rng() % static_cast<unsigned long>(orders));
    char number[32];
    std::snprintf(number, sizeof number, "HY%08d%06ld", 20250101 + static_cast<int>(id / 900000),
                  id % 900000);
    t = Clock::now();
    by_number.bind(1, std::string(number));
    bool row = by_number.step();
    by_number.reset();
    number_us.push_back(micros(Clock::now() - t));
    found += row ? 0 : 0;
  }
  double p50 = percentile(phone_us, 0.5), p99 = percentile(phone_us, 0.99);
  double b50 = percentile(number_us, 0.5), b99 = percentile(number_us, 0.99);
  std::printf(
      "orders stored: %ld, distinct callers: ~%ld, lookups: %d, orders found per lookup: %.2f\n",
      orders, phones, lookups, static_cast<double>(found) / lookups);
  std::printf("caller history by phone: p50 %.1f us, p99 %.1f us (target: under 1 ms)\n", p50, p99);
  std::printf("baseline, one order by number: p50 %.1f us, p99 %.1f us\n", b50, b99);
  std::printf(
      "{\"bench\": \"phone\", \"metric\": \"p50\", \"value\": %.1f, \"unit\": \"us\", "
      "\"baseline\": %.1f, "
      "\"ratio\": %.2f, \"p99\": %.1f, \"baseline_p99\": %.1f, \"orders\": %ld}\n",
      p50, b50, p50 / b50, p99, b99, orders);
  return 0;
}
