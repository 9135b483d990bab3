// kill -9 test: nothing acknowledged is ever lost.
//
// Starts crash_child on one SQLite file, waits for it to be ready, lets it
// create orders for a random 10..400 ms, kills it with SIGKILL, then reopens
// the file and checks that every number the child printed (it prints only
// after the durable ack) is present, and that PRAGMA integrity_check is "ok".
// The same file is reused across runs, so each run also recovers from the
// previous crash.
//
//   crash_test CHILD_BINARY [RUNS] [CONFIG_DIR]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "db/store.hpp"
#include "support/process.hpp"

using namespace huying;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: crash_test CHILD [RUNS]\n");
    return 2;
  }
  const std::string child_bin = argv[1];
  const int runs = argc > 2 ? std::atoi(argv[2]) : 20;
  const std::string config = argc > 3 ? argv[3] : "";
  auto dir = std::filesystem::temp_directory_path() / ("huying-crash-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db_path = (dir / "crash.db").string();
  const std::string log_path = (dir / "child.log").string();

  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> delay_ms(10, 400);
  long total_acked = 0;
  int passed = 0, failed = 0;

  for (int run = 1; run <= runs; ++run) {
    int delay = delay_ms(rng);
    std::vector<std::string> acked;
    {
      std::vector<std::string> args = {child_bin, db_path, "8"};
      if (!config.empty()) args.push_back(config);
      test::Child child(args, log_path);
      auto ready = child.read_line(std::chrono::seconds(30));
      if (!ready || *ready != "ready") {
        std::fprintf(stderr, "run %d: child did not start (see %s)\n", run, log_path.c_str());
        return 1;
      }
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay);
      while (std::chrono::steady_clock::now() < until) {
        if (auto l = child.read_line(std::chrono::milliseconds(5))) acked.push_back(*l);
      }
      child.signal(SIGKILL);
      int st = child.wait();
      for (auto& l : child.drain()) acked.push_back(l);
      if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
        std::fprintf(stderr, "run %d: child exited on its own (status %d), see %s\n", run, st,
                     log_path.c_str());
        return 1;
      }
    }
    // Reopen the file, as the next start would, and look for every acked number.
    auto store = db::open_sqlite_store({.path = db_path});
    long lost = 0;
    for (const auto& n : acked) {
      auto h = store->get_order(n);
      // With routing, an acked create was also dispatched in the same commit.
      bool whole = h && (config.empty() || h->order.status == core::Status::dispatched);
      if (!whole) {
        if (lost < 5)
          std::fprintf(stderr, "run %d: LOST (or partly lost) acked order %s\n", run, n.c_str());
        ++lost;
      }
    }
    std::string integrity = store->integrity_check();
    total_acked += static_cast<long>(acked.size());
    bool ok = lost == 0 && integrity == "ok";
    (ok ? passed : failed)++;
    std::printf(
        "run %2d: killed after %3d ms, %5zu acked, %ld lost, integrity %s, %lld orders in file\n",
        run, delay, acked.size(), lost, integrity.c_str(),
        static_cast<long long>(store->list_orders({}).total));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::printf("%d passed, %d failed\n", passed, failed);
  if (total_acked < 100) {
    std::fprintf(stderr, "too few acks (%ld) for the test to mean anything\n", total_acked);
    return 1;
  }
  return failed == 0 ? 0 : 1;
}
