// The live streams' hub: the engine's Feed. Board deltas (serialised once by
// the engine) go to every board screen; each order change goes to the queue
// streams whose signed-in actor may see that order (the REST API's scope
// rules), and to no one else. No Beast here: a stream is a StreamSink.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dispatcher/engine/engine.hpp"
#include "dispatcher/server/router.hpp"

namespace huying::server {

class Auth;

enum class StreamKind { board, queue, replay };
const char* stream_name(StreamKind k);

// One WebSocket client as the hub sees it. Thread-safe.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // A frame for this client: a board delta (seq its number) or an order
  // notice (seq 0).
  virtual void deliver(std::shared_ptr<const std::string> frame, std::uint64_t seq) = 0;
  // Closes the stream: the sign-in behind it ended.
  virtual void end(std::string reason) = 0;
};

// Figures for /metrics.
struct StreamCounters {
  std::atomic<long> clients[3]{};  // by StreamKind
  std::atomic<std::uint64_t> frames{0}, bytes{0};
  std::atomic<std::uint64_t> forced_snapshots{0};  // slow board clients cut back
  std::atomic<std::uint64_t> resyncs{0};           // slow queue clients told to reload
  std::atomic<long> queued_bytes{0};               // waiting in the clients' write queues
};

class Hub : public engine::Feed, public std::enable_shared_from_this<Hub> {
 public:
  Hub(engine::Engine& engine, Auth& auth);

  void add(StreamKind kind, const std::shared_ptr<StreamSink>& sink, const Principal& who);
  void remove(const StreamSink* sink);
  // Ends the streams whose session is over (logged out or expired).
  void check_sessions();

  engine::Engine& engine() { return engine_; }
  StreamCounters& counters() { return counters_; }

  // engine::Feed (on the engine strand)
  void board_delta(std::shared_ptr<const std::string> frame, std::uint64_t seq) override;
  bool wants_orders() const override { return queue_clients_.load() > 0; }
  void orders_changed(std::vector<std::shared_ptr<const engine::OrderNotice>> notices) override;

 private:
  struct Entry {
    StreamKind kind;
    std::weak_ptr<StreamSink> sink;
    const StreamSink* raw;
    Principal who;
  };
  engine::Engine& engine_;
  Auth& auth_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  std::atomic<long> queue_clients_{0};
  StreamCounters counters_;
};

}  // namespace huying::server
