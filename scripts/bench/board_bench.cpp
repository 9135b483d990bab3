// scripts/bench/board: WebSocket board screens while orders arrive over HTTP.
// N clients on /ws/board (S of them stalled: a tiny receive buffer, never
// read), creates at RATE per second from 4 keep-alive connections. For each
// order, the time from its create's 2xx to the first board frame naming it
// at each reading client; the create's own HTTP latency is the baseline.
// Prints the figures and, last, one JSON line.
//   bench_board URL TOKEN_LEADER TOKEN_OPERATOR SERVER_PID CLIENTS STALLED RATE SECONDS
#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dispatcher/app/http_client.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

namespace {

std::mutex mu;
std::unordered_map<std::string, Clock::time_point> acked;  // number -> its 2xx
std::vector<double> delays_ms, create_ms;

long rss_kb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

struct Screen {
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buf;
  std::unordered_map<std::string, bool> seen;
  bool stalled;
  Screen(asio::io_context& ioc, bool s) : ws(ioc), stalled(s) {}
  void read() {
    ws.async_read(buf, [this](beast::error_code ec, std::size_t) {
      if (ec) return;
      const auto now = Clock::now();
      const std::string frame = beast::buffers_to_string(buf.data());
      buf.consume(buf.size());
      std::lock_guard lk(mu);
      for (std::size_t at = frame.find("\"number\":\""); at != std::string::npos;
           at = frame.find("\"number\":\"", at + 10)) {
        std::string n = frame.substr(at + 10, frame.find('"', at + 10) - at - 10);
        auto it = acked.find(n);
        if (it != acked.end() && !seen[n]) {
          seen[n] = true;
          delays_ms.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
        }
      }
      read();
    });
  }
};

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 9) {
    std::fprintf(stderr,
                 "usage: bench_board URL TOKEN_LEADER TOKEN_OPERATOR SERVER_PID CLIENTS STALLED "
                 "RATE SECONDS\n");
    return 2;
  }
  const std::string url = argv[1], leader = argv[2], op = argv[3];
  const int pid = std::stoi(argv[4]), clients = std::stoi(argv[5]), stalled = std::stoi(argv[6]);
  const int rate = std::stoi(argv[7]), seconds = std::stoi(argv[8]);
  std::string host;
  unsigned short port = 0;
  huying::app::parse_url(url, host, port);

  const long rss_idle = rss_kb(pid);
  asio::io_context ioc;
  std::vector<std::unique_ptr<Screen>> screens;
  for (int i = 0; i < clients; ++i) {
    auto s = std::make_unique<Screen>(ioc, i < stalled);
    auto& sock = beast::get_lowest_layer(s->ws).socket();
    sock.open(asio::ip::tcp::v4());
    if (s->stalled) sock.set_option(asio::socket_base::receive_buffer_size(4096));
    beast::get_lowest_layer(s->ws).connect({asio::ip::address_v4::loopback(), port});
    s->ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& r) {
      r.set(beast::http::field::authorization, "Bearer " + leader);
    }));
    s->ws.handshake("127.0.0.1", "/ws/board");
    if (!s->stalled) s->read();
    screens.push_back(std::move(s));
  }
  std::thread io([&] {
    auto guard = asio::make_work_guard(ioc);
    ioc.run();
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const long rss_connected = rss_kb(pid);
  std::printf("%d board clients connected (%d stalled); server RSS %ld MiB (before: %ld MiB)\n",
              clients, stalled, rss_connected / 1024, rss_idle / 1024);

  // Creates at `rate` per second from 4 connections.
  std::atomic<long> made{0}, failed{0};
  const auto t0 = Clock::now();
  std::vector<std::thread> creators;
  long rss_peak = rss_connected;
  for (int c = 0; c < 4; ++c)
    creators.emplace_back([&, c] {
      huying::app::HttpClient http(url);
      const double per = 4.0 / rate;
      for (long i = 0;; ++i) {
        const auto due =
            t0 + std::chrono::duration<double>(per * static_cast<double>(i) + per * c / 4);
        if (due > t0 + std::chrono::seconds(seconds)) break;
        std::this_thread::sleep_until(due);
        const auto sent = Clock::now();
        auto r = http.request(
            "POST", "/api/v1/orders",
            R"({"kind":"complaint","category":"城市管理/市容环境/占道经营","address":"桂园街道文华社区红岭路12号","description":"门口有人占道经营","citizen":{"name":"张三","phone":"13800001111"}})",
            {{"Content-Type", "application/json"},
             {"Authorization", "Bearer " + op},
             {"Idempotency-Key", "board-" + std::to_string(c) + "-" + std::to_string(i)}});
        const auto got = Clock::now();
        if (r.status != 201) {
          ++failed;
          continue;
        }
        auto at = r.body.find("\"number\":\"");
        std::string n = r.body.substr(at + 10, r.body.find('"', at + 10) - at - 10);
        std::lock_guard lk(mu);
        acked[n] = got;
        create_ms.push_back(std::chrono::duration<double, std::milli>(got - sent).count());
        ++made;
      }
    });
  while (Clock::now() < t0 + std::chrono::seconds(seconds)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    rss_peak = std::max(rss_peak, rss_kb(pid));
  }
  for (auto& t : creators) t.join();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const long rss_end = rss_kb(pid);
  ioc.stop();
  io.join();

  std::lock_guard lk(mu);
  const double p50 = pct(delays_ms, 0.5), p99 = pct(delays_ms, 0.99);
  const double c99 = pct(create_ms, 0.99);
  const double expected = static_cast<double>(made) * (clients - stalled);
  std::printf("%ld orders created (%ld failed), %.0f/s\n", made.load(), failed.load(),
              static_cast<double>(made) / seconds);
  std::printf("2xx -> board frame: p50 %.1f ms, p99 %.1f ms over %zu deliveries (%.1f%% of %.0f)\n",
              p50, p99, delays_ms.size(), 100.0 * static_cast<double>(delays_ms.size()) / expected,
              expected);
  std::printf("create latency p99 %.1f ms (baseline); server RSS peak %ld MiB, end %ld MiB\n", c99,
              rss_peak / 1024, rss_end / 1024);
  std::printf(
      "{\"bench\": \"board\", \"metric\": \"p99_create_to_delta_ms\", \"value\": %.1f, \"unit\": "
      "\"ms\", \"baseline\": %.1f, \"ratio\": %.2f, \"p99_ms\": %.1f, \"p50_ms\": %.1f, "
      "\"clients\": %d, \"stalled\": %d, \"orders_per_s\": %.0f, \"delivered\": %.4f, "
      "\"rss_mb\": %ld, \"rss_connected_mb\": %ld, \"rss_peak_mb\": %ld}\n",
      p99, c99, c99 > 0 ? p99 / c99 : 0, p99, p50, clients, stalled,
      static_cast<double>(made) / seconds, static_cast<double>(delays_ms.size()) / expected,
      rss_end / 1024, rss_connected / 1024, rss_peak / 1024);
  std::fflush(stdout);
  std::_Exit(0);  // the stalled sockets need no goodbye
}
