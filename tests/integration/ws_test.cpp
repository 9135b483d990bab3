// The live streams over real WebSockets (Beast's client): /ws/board's
// snapshot and deltas, /ws/queue's scope, sign-in on the socket, and the
// board replay against the live board recorded at the same instant.
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <optional>

#include "integration/harness.hpp"

using namespace huying::it;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

const char* const kPhone = "13912345678";

json::object intake() {
  return {{"kind", "complaint"},
          {"category", "城市管理/市容环境/占道经营"},
          {"address", "桂园街道文华社区红岭路12号"},
          {"description", "门口有人占道经营，堵住通道"},
          {"citizen", {{"name", "张三"}, {"phone", kPhone}}}};
}

// A WebSocket client with one read always pending; frames land in `inbox`.
struct Ws {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buf;
  std::deque<std::string> inbox;
  bool closed = false;
  beast::error_code read_error;

  // Returns the handshake's HTTP status (101 when open).
  int open(unsigned short port, const std::string& target, const std::string& token,
           int rcvbuf = 0) {
    auto& sock = beast::get_lowest_layer(ws).socket();
    sock.open(asio::ip::tcp::v4());
    if (rcvbuf) sock.set_option(asio::socket_base::receive_buffer_size(rcvbuf));
    beast::get_lowest_layer(ws).connect({asio::ip::address_v4::loopback(), port});
    ws.set_option(websocket::stream_base::decorator([token](websocket::request_type& req) {
      if (!token.empty()) req.set(beast::http::field::authorization, "Bearer " + token);
    }));
    websocket::response_type res;
    beast::error_code ec;
    ws.handshake(res, "127.0.0.1:" + std::to_string(port), target, ec);
    if (ec) return res.result_int();
    arm();
    return 101;
  }
  void arm() {
    ws.async_read(buf, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        closed = true;
        read_error = ec;
        return;
      }
      inbox.push_back(beast::buffers_to_string(buf.data()));
      buf.consume(buf.size());
      arm();
    });
  }
  // The next frame within `ms`, else nullopt.
  std::optional<std::string> next_raw(int ms = 3000) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (inbox.empty() && !closed && std::chrono::steady_clock::now() < until) {
      ioc.restart();
      ioc.run_one_for(std::chrono::milliseconds(20));
    }
    if (inbox.empty()) return std::nullopt;
    auto s = std::move(inbox.front());
    inbox.pop_front();
    return s;
  }
  std::optional<json::object> next(int ms = 3000) {
    auto s = next_raw(ms);
    if (!s) return std::nullopt;
    return json::parse(*s).as_object();
  }
  // Waits until the connection is closed by the server.
  bool wait_closed(int ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!closed && std::chrono::steady_clock::now() < until) {
      inbox.clear();
      ioc.restart();
      ioc.run_one_for(std::chrono::milliseconds(20));
    }
    return closed;
  }
};

std::string created(Server& s, const std::string& op) {
  auto r = s.call(op, "POST", "/api/v1/orders", intake());
  INFO(r.body);
  REQUIRE(r.status == 201);
  return std::string(r.json().at("order").at("number").as_string());
}

std::int64_t open_total(const json::object& board) {
  return board.at("totals").at("open").to_number<std::int64_t>();
}

}  // namespace

TEST_CASE("ws: a board screen gets a snapshot then deltas, a queue gets only its department's") {
  Server s;
  const auto op = s.login("op1"), disp = s.login("disp1");
  Ws board, gy, zj;
  REQUIRE(board.open(s.port, "/ws/board", s.login("leader1")) == 101);
  REQUIRE(gy.open(s.port, "/ws/queue", s.login("clerk-cg-gy")) == 101);
  REQUIRE(zj.open(s.port, "/ws/queue", s.login("clerk-zj")) == 101);
  auto snap = board.next();
  REQUIRE(snap);
  CHECK(snap->at("type").as_string() == "snapshot");
  CHECK(open_total(*snap) == 0);
  std::uint64_t seq = snap->at("seq").to_number<std::uint64_t>();

  const std::string no = created(s, op);
  REQUIRE(act(s, disp, no, "dispatch", {{"lead", "cg-gy"}, {"area", "440699001001"}}).status ==
          200);

  // Deltas follow in sequence until the new order shows, dispatched to 城管中队.
  std::int64_t open = 0;
  bool dispatched = false, ticker = false;
  while (!(open == 1 && dispatched && ticker)) {
    auto raw = board.next_raw();
    REQUIRE(raw);
    CHECK(raw->find(kPhone) == std::string::npos);  // nothing personal on the board
    CHECK(raw->find("张三") == std::string::npos);
    auto d = json::parse(*raw).as_object();
    REQUIRE(d.at("type").as_string() == "delta");
    CHECK(d.at("seq").to_number<std::uint64_t>() == ++seq);
    if (auto* t = d.if_contains("totals")) open = t->at("open").to_number<std::int64_t>();
    if (auto* b = d.if_contains("by_dept"))
      if (auto* g = b->as_object().if_contains("cg-gy"))
        dispatched = !g->is_null() && g->at("open").to_number<int>() == 1;
    if (auto* t = d.if_contains("ticker"))
      for (const auto& line : t->as_array()) ticker = ticker || line.at("number").as_string() == no;
  }

  // The department's clerk hears of it; another department's clerk never does.
  bool heard = false;
  while (!heard) {
    auto raw = gy.next_raw();
    REQUIRE(raw);
    CHECK(raw->find(kPhone) == std::string::npos);
    auto m = json::parse(*raw).as_object();
    REQUIRE(m.at("type").as_string() == "orders");
    for (const auto& item : m.at("items").as_array())
      heard = heard || (item.at("number").as_string() == no &&
                        item.at("status").as_string() == "dispatched");
  }
  REQUIRE(act(s, s.login("clerk-cg-gy"), no, "claim").status == 200);
  auto claimed = gy.next();
  REQUIRE(claimed);
  CHECK(json::serialize(*claimed).find("claimed") != std::string::npos);
  CHECK_FALSE(zj.next_raw(1000).has_value());

  // The streams show in /metrics.
  auto m = http(s.port, "GET", "/metrics");
  CHECK(m.body.find("huying_ws_clients{stream=\"board\"} 1") != std::string::npos);
  CHECK(m.body.find("huying_ws_clients{stream=\"queue\"} 2") != std::string::npos);
}

TEST_CASE(
    "ws: the socket signs in like the API: no or stale token refused, wrong role refused, "
    "a logout closes the stream") {
  Server s;
  {
    Ws w;
    CHECK(w.open(s.port, "/ws/board", "") == 401);
  }
  {
    Ws w;
    CHECK(w.open(s.port, "/ws/board", std::string(64, 'a')) == 401);
  }
  {
    Ws w;  // a clerk may not watch the board; a leader has no queue
    CHECK(w.open(s.port, "/ws/board", s.login("clerk-cg")) == 403);
    Ws w2;
    CHECK(w2.open(s.port, "/ws/queue", s.login("leader1")) == 403);
    Ws w3;
    CHECK(w3.open(s.port, "/ws/nothing", s.login("leader1")) == 404);
  }
  const auto leader = s.login("leader1");
  Ws w;
  REQUIRE(w.open(s.port, "/ws/board", leader) == 101);
  REQUIRE(w.next());
  REQUIRE(s.call(leader, "DELETE", "/api/v1/session").status == 200);
  CHECK(w.wait_closed(5000));
  // The token is dead for a new socket too.
  Ws again;
  CHECK(again.open(s.port, "/ws/board", leader) == 401);
}

TEST_CASE("ws: the board replayed at a past instant equals the live board recorded then") {
  Server s;
  const auto op = s.login("op1"), disp = s.login("disp1"), leader = s.login("leader1");
  for (int i = 0; i < 6; ++i) {
    const std::string no = created(s, op);
    if (i % 2 == 0)
      REQUIRE(act(s, disp, no, "dispatch", {{"lead", "cg-gy"}, {"area", "440699001001"}}).status ==
              200);
    if (i % 3 == 0 && i % 2 == 0)
      REQUIRE(act(s, s.login("clerk-cg-gy"), no, "claim").status == 200);
  }
  // Timers fired by those commands (an event stamped before the instant but
  // committed after it) settle first: the live board shows commits, the
  // replay shows events by their time.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto live = s.call(leader, "GET", "/api/v1/board");
  REQUIRE(live.status == 200);
  auto recorded = live.json().as_object();
  const auto at = recorded.at("at").to_number<std::int64_t>();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // Later changes must not show in the replay.
  const std::string later = created(s, op);
  REQUIRE(act(s, disp, later, "dispatch", {{"lead", "zj"}, {"area", "440699001001"}}).status ==
          200);

  auto replay = s.call(leader, "GET", "/api/v1/board?at=" + std::to_string(at + 1));
  INFO(replay.body);
  REQUIRE(replay.status == 200);
  auto replayed = replay.json().as_object();
  CHECK(open_total(recorded) == 6);
  for (const char* k : {"at", "seq", "type", "replay"}) {
    recorded.erase(k);
    replayed.erase(k);
  }
  INFO("replayed: " << json::serialize(replayed) << "\nrecorded: " << json::serialize(recorded));
  CHECK(replayed == recorded);  // objects compare by content, whatever their key order
  // And an ISO instant with its zone is understood; the future is refused.
  CHECK(s.call(leader, "GET", "/api/v1/board?at=2025-10-08T10:00%2B08:00").status == 200);
  CHECK(s.call(leader, "GET", "/api/v1/board?at=2099-01-01T00:00").status == 400);
  CHECK(s.call(leader, "GET", "/api/v1/board?at=yesterday").status == 400);
  CHECK(s.call(s.login("clerk-cg"), "GET", "/api/v1/board").status == 403);
}

namespace {
// A figure from /metrics (0 when absent).
double metric(Server& s, const std::string& name) {
  auto m = http(s.port, "GET", "/metrics");
  auto at = m.body.find("\n" + name + " ");
  return at == std::string::npos ? 0 : std::stod(m.body.substr(at + name.size() + 2));
}
}  // namespace

TEST_CASE("ws: a board screen that stops reading is cut back to a snapshot, its queue bounded") {
  const std::size_t limit = 16384;
  Server s({.extra = {"--ws-queue-limit", std::to_string(limit), "--rate-per-session", "0"}});
  const auto op = s.login("op1");
  Ws slow;
  REQUIRE(slow.open(s.port, "/ws/board", s.login("leader1"), /*rcvbuf=*/2048) == 101);
  // From here the client reads nothing while orders pour in.
  double forced = 0, most_queued = 0;
  int after = 0;  // creates since the cut, to see the queue stay bounded
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int i = 0; after < 100 && std::chrono::steady_clock::now() < until; ++i) {
    REQUIRE(s.call(op, "POST", "/api/v1/orders", intake()).status == 201);
    if (forced >= 1) ++after;
    if (i % 20 == 0) {
      forced = metric(s, "huying_ws_forced_snapshots_total");
      most_queued = std::max(most_queued, metric(s, "huying_ws_queued_bytes"));
    }
  }
  REQUIRE(forced >= 1);
  // The queue never holds more than the limit and the frame being written.
  CHECK(most_queued <= static_cast<double>(limit + 64 * 1024));

  // Reading again: after the frames already under way, a fresh snapshot, and
  // from it deltas in sequence again.
  int snapshots = 0;
  std::optional<std::uint64_t> seq;
  bool in_sequence_after = false;
  while (auto m = slow.next(3000)) {
    const auto type = std::string(m->at("type").as_string());
    const auto n = m->at("seq").to_number<std::uint64_t>();
    if (type == "snapshot") {
      ++snapshots;
      seq = n;
      continue;
    }
    if (snapshots >= 2 && seq) {
      REQUIRE(n == *seq + 1);
      in_sequence_after = true;
    }
    seq = n;
  }
  CHECK(snapshots >= 2);  // the first, and the one that replaced the backlog
  CHECK(in_sequence_after);
}

TEST_CASE("ws: /ws/board?from= plays a past stretch back at speed, from its board then") {
  Server s;
  const auto op = s.login("op1"), disp = s.login("disp1");
  const auto from = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count() -
                    3600 * 1000;
  for (int i = 0; i < 3; ++i) {
    auto no = created(s, op);
    if (i == 0)
      REQUIRE(act(s, disp, no, "dispatch", {{"lead", "cg-gy"}, {"area", "440699001001"}}).status ==
              200);
  }
  Ws r;
  REQUIRE(r.open(s.port, "/ws/board?from=" + std::to_string(from) + "&speed=86400",
                 s.login("leader1")) == 101);
  auto first = r.next();
  REQUIRE(first);
  CHECK(first->at("type").as_string() == "snapshot");
  CHECK(first->at("replay").as_bool());
  CHECK(open_total(*first) == 0);  // an hour ago: nothing yet
  std::int64_t open = 0;
  bool ended = false;
  while (auto m = r.next(5000)) {
    CHECK(m->at("replay").as_bool());
    if (m->at("type").as_string() == "replay_end") {
      ended = true;
      break;
    }
    if (auto* t = m->if_contains("totals")) open = t->at("open").to_number<std::int64_t>();
  }
  CHECK(ended);
  CHECK(open == 3);
  Ws bad;
  CHECK(bad.open(s.port, "/ws/board?from=soon", s.login("leader1")) == 400);
}

TEST_CASE("ws: bad client messages are ignored or close that stream alone, a silent peer is cut") {
  Server s({.extra = {"--ws-idle", "2"}});
  const auto leader = s.login("leader1");
  Ws w;
  REQUIRE(w.open(s.port, "/ws/board", leader) == 101);
  REQUIRE(w.next());
  // Not JSON, the wrong JSON, binary: ignored; the stream goes on.
  for (std::string junk : {"{", "[1,2,3]", "{\"type\":\"delete everything\"}", "\xff\xfe"}) {
    w.ws.text(junk != "\xff\xfe");
    w.ws.write(asio::buffer(junk));
  }
  w.ws.text(true);
  w.ws.write(asio::buffer(std::string(R"({"type":"snapshot"})")));
  auto again = w.next();
  REQUIRE(again);
  CHECK(again->at("type").as_string() == "snapshot");
  // A message over 4 KiB closes the stream; the server goes on.
  beast::error_code ec;
  w.ws.write(asio::buffer(std::string(8192, 'x')), ec);
  CHECK(w.wait_closed(3000));
  CHECK(http(s.port, "GET", "/healthz").status == 200);
  // A peer that answers no ping (it never reads) is closed after the idle
  // timeout (2 s here); the board's client count says so.
  auto clients = [&] {
    auto m = http(s.port, "GET", "/metrics");
    auto at = m.body.find("huying_ws_clients{stream=\"board\"} ");
    return std::stoi(m.body.substr(at + 34));
  };
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (clients() > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(clients() == 0);
}
