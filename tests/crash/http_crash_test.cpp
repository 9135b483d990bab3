// kill -9 over HTTP: `huying load` logs calls against the real server while
// the server is killed with SIGKILL and restarted on the same file, RUNS
// times. Every order that got a 2xx must be in the store, and none twice:
// the load generator retries unacknowledged creates with the same
// Idempotency-Key, so each key must name exactly one order.
//
//   http_crash_test HUYING_BINARY CONFIG_DIR [RUNS]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "db/sqlite.hpp"
#include "support/process.hpp"

using namespace huying;

namespace {

unsigned short free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: http_crash_test HUYING CONFIG_DIR [RUNS]\n");
    return 2;
  }
  const std::string bin = argv[1], config = argv[2];
  const int runs = argc > 3 ? std::atoi(argv[3]) : 10;
  auto dir =
      std::filesystem::temp_directory_path() / ("huying-http-crash-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "crash.db").string();
  const std::string acked_path = (dir / "acked.txt").string();
  const unsigned short port = free_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);

  auto start_server = [&] {
    auto s = std::make_unique<test::Child>(
        std::vector<std::string>{bin, "serve", "--config", config, "--db", db, "--port",
                                 std::to_string(port), "--rate-per-session", "0"},
        (dir / "server.log").string());
    auto line = s->read_line(std::chrono::seconds(60));
    if (!line || line->find("listening on") == std::string::npos) {
      std::fprintf(stderr, "the server did not start (see %s)\n", (dir / "server.log").c_str());
      std::exit(1);
    }
    return s;
  };

  auto server = start_server();
  test::Child load(
      {bin, "load", "--url", url, "--config", config, "--rate", "300", "--duration", "0",
       "--connections", "16", "--delay-scale", "0.05", "--acked", acked_path, "--quiet"},
      (dir / "load.log").string());
  // Kill only once calls are being logged.
  for (int i = 0; i < 600 && (!std::filesystem::exists(acked_path) ||
                              std::filesystem::file_size(acked_path) == 0);
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> ms(300, 1500);
  for (int run = 1; run <= runs; ++run) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms(rng)));
    server->signal(SIGKILL);
    server->wait();
    server = start_server();
    std::printf("run %d: server killed with SIGKILL and restarted\n", run);
    std::fflush(stdout);
  }
  // Let it log a little more on the last server, then stop the load: it sees
  // every call it started through to an answer.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  load.signal(SIGTERM);
  int lst = load.wait();
  for (auto& l : load.drain()) std::printf("load: %s\n", l.c_str());
  server->signal(SIGTERM);
  int sst = server->wait();
  if (!WIFEXITED(sst) || WEXITSTATUS(sst) != 0) {
    std::fprintf(stderr, "the server did not stop cleanly (status %d)\n", sst);
    return 1;
  }
  if (!WIFEXITED(lst) || WEXITSTATUS(lst) != 0) {
    std::fprintf(stderr, "the load generator failed (status %d, see %s)\n", lst,
                 (dir / "load.log").c_str());
    return 1;
  }

  // What the load generator was told, against what the file holds.
  std::map<std::string, std::string> by_key;  // key -> number
  std::set<std::string> numbers;
  {
    std::ifstream in(acked_path);
    std::string line, number, key;
    // "NUMBER KEY UNIX_MS" per line.
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      if (!(fields >> number >> key)) continue;
      if (by_key.count(key) && by_key[key] != number) {
        std::fprintf(stderr, "key %s acknowledged as two orders: %s and %s\n", key.c_str(),
                     by_key[key].c_str(), number.c_str());
        return 1;
      }
      by_key[key] = number;
      if (!numbers.insert(number).second) {
        std::fprintf(stderr, "order %s acknowledged for two keys\n", number.c_str());
        return 1;
      }
    }
  }
  db::Connection c(db, db::Connection::Mode::read_only);
  long missing = 0, wrong = 0;
  for (const auto& [key, number] : by_key) {
    db::Statement q(c, "SELECT order_number FROM idempotency WHERE key = ?");
    q.bind(1, key);
    if (!q.step()) {
      ++missing;
      std::fprintf(stderr, "LOST: %s (key %s) was acknowledged but is not stored\n", number.c_str(),
                   key.c_str());
    } else if (q.col_text(0) != number) {
      ++wrong;
    }
  }
  const auto orders =
      c.query_int("SELECT count(*) FROM orders WHERE json_extract(doc, '$.channel') = 'hotline'");
  const auto keys = c.query_int("SELECT count(*) FROM idempotency");
  const std::string check = c.query_text("PRAGMA integrity_check");
  std::printf(
      "%d kill -9 restarts; %zu orders acknowledged over HTTP; %lld stored; %ld lost; "
      "%ld under another key; integrity %s\n",
      runs, by_key.size(), static_cast<long long>(orders), missing, wrong, check.c_str());
  // Every stored call came from one key (none twice), and every key the
  // load generator started was acknowledged (it saw each through).
  bool ok = missing == 0 && wrong == 0 && check == "ok" && orders == keys &&
            static_cast<std::size_t>(keys) == by_key.size() && by_key.size() > 100;
  if (orders != keys)
    std::fprintf(stderr, "%lld calls stored but %lld keys: some order was made twice\n",
                 static_cast<long long>(orders), static_cast<long long>(keys));
  if (static_cast<std::size_t>(keys) != by_key.size())
    std::fprintf(stderr, "%lld keys stored but %zu acknowledged\n", static_cast<long long>(keys),
                 by_key.size());
  std::error_code ec;
  if (ok) std::filesystem::remove_all(dir, ec);
  std::printf(ok ? "PASS\n" : "FAIL (files kept in %s)\n", dir.c_str());
  return ok ? 0 : 1;
}
