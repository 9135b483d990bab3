// One WebSocket client of the live streams (/ws/board, /ws/queue): accepts
// the upgrade the HTTP session handed over, then writes what the hub
// delivers through a bounded queue. A board client that falls behind is cut
// back to a fresh snapshot; a queue client is told to reload ("resync").
// Pings keep the connection checked (Beast's keep-alive pings: no answer
// within the idle timeout closes it). A board replay (/ws/board?from=) plays
// a past day on a thread of its own into the same queue.
#pragma once

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <thread>

#include "dispatcher/server/ws_hub.hpp"

namespace huying::db {
class Store;
}

namespace huying::server {

struct WsOptions {
  std::chrono::seconds idle_timeout{20};  // no frame or pong for this long: closed
  std::size_t max_queue_bytes = 1 << 20;  // a client this far behind is cut back
  std::size_t max_queue_frames = 256;
  std::chrono::milliseconds pace{100};  // at most 10 queue frames a second
  // The kernel's send buffer per client, fixed (no autotuning to megabytes):
  // a stalled reader holds at most this in the kernel, and falls behind in
  // our queue, where it is seen, soon after.
  int send_buffer = 64 * 1024;
};

struct ReplaySpec {
  std::int64_t from = 0;  // epoch ms
  double speed = 60;      // simulated seconds per real second
};

class ws_session : public StreamSink, public std::enable_shared_from_this<ws_session> {
 public:
  ws_session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<Hub> hub, Principal who,
             StreamKind kind, WsOptions opts);
  ~ws_session() override;
  // Accepts the upgrade request; replay: plays from the store.
  void run(boost::beast::http::request<boost::beast::http::string_body> req,
           db::Store* store = nullptr, ReplaySpec replay = {});

  void deliver(std::shared_ptr<const std::string> frame, std::uint64_t seq) override;
  void end(std::string reason) override;

 private:
  void on_accept(boost::beast::error_code ec);
  void ask_snapshot();
  void on_snapshot(std::shared_ptr<const std::string> frame, std::uint64_t seq);
  void on_deliver(std::shared_ptr<const std::string> frame, std::uint64_t seq);
  void enqueue(std::shared_ptr<const std::string> frame);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t n);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t n);
  void flush_orders();
  void play(db::Store* store, ReplaySpec spec);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer rbuf_;
  std::shared_ptr<Hub> hub_;
  Principal who_;
  StreamKind kind_;
  WsOptions opts_;
  boost::asio::steady_timer pace_;
  bool open_ = false, closing_ = false, writing_ = false;
  // Board: deltas wait for the snapshot they follow; older ones are dropped.
  bool awaiting_snapshot_ = true;
  std::uint64_t snapshot_seq_ = 0;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  // Queue stream: order notices gathered into one frame per pace tick.
  std::vector<std::shared_ptr<const std::string>> orders_;
  std::size_t orders_bytes_ = 0;
  std::uint64_t orders_seq_ = 0;
  bool pacing_ = false;
  std::chrono::steady_clock::time_point last_orders_{};
  std::thread player_;
  std::atomic<bool> stop_player_{false};
};

}  // namespace huying::server
