#include "dispatcher/server/ws_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "db/store.hpp"
#include "dispatcher/engine/reports.hpp"

namespace huying::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;

ws_session::ws_session(asio::ip::tcp::socket&& socket, std::shared_ptr<Hub> hub, Principal who,
                       StreamKind kind, WsOptions opts)
    : ws_(std::move(socket)),
      hub_(std::move(hub)),
      who_(std::move(who)),
      kind_(kind),
      opts_(opts),
      pace_(ws_.get_executor()) {}

ws_session::~ws_session() {
  hub_->counters().queued_bytes -= static_cast<long>(queued_bytes_);
  if (player_.joinable()) player_.detach();  // it holds only a weak reference; it stops itself
}

void ws_session::run(beast::http::request<beast::http::string_body> req, db::Store* store,
                     ReplaySpec replay) {
  beast::get_lowest_layer(ws_).expires_never();  // the websocket's own timeouts from here on
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().set_option(
      asio::socket_base::send_buffer_size(opts_.send_buffer), ignored);
  websocket::stream_base::timeout t;
  t.handshake_timeout = std::chrono::seconds(10);
  t.idle_timeout = opts_.idle_timeout;
  t.keep_alive_pings = true;
  ws_.set_option(t);
  ws_.read_message_max(4096);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "huying"); }));
  ws_.async_accept(req, [self = shared_from_this(), store, replay](beast::error_code ec) {
    if (!ec && self->kind_ == StreamKind::replay) {
      self->open_ = true;
      self->do_read();
      std::weak_ptr<ws_session> weak = self;
      self->player_ = std::thread([weak, store, replay] {
        if (auto s = weak.lock()) s->play(store, replay);
      });
      return;
    }
    self->on_accept(ec);
  });
}

void ws_session::on_accept(beast::error_code ec) {
  if (ec) return;
  open_ = true;
  spdlog::info("ws {} opened by {} ({})", stream_name(kind_), who_.actor.user,
               core::name(who_.actor.role));
  hub_->add(kind_, shared_from_this(), who_);
  if (kind_ == StreamKind::board) ask_snapshot();
  do_read();
}

void ws_session::ask_snapshot() {
  awaiting_snapshot_ = true;
  std::weak_ptr<ws_session> weak = shared_from_this();
  hub_->engine().board_snapshot(
      [weak](std::shared_ptr<const std::string> frame, std::uint64_t seq) {
        if (auto self = weak.lock())
          asio::post(self->ws_.get_executor(),
                     [self, frame = std::move(frame), seq] { self->on_snapshot(frame, seq); });
      });
}

void ws_session::on_snapshot(std::shared_ptr<const std::string> frame, std::uint64_t seq) {
  if (!open_ || closing_) return;
  awaiting_snapshot_ = false;
  snapshot_seq_ = seq;
  enqueue(std::move(frame));
}

void ws_session::deliver(std::shared_ptr<const std::string> frame, std::uint64_t seq) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame), seq] {
    self->on_deliver(frame, seq);
  });
}

void ws_session::on_deliver(std::shared_ptr<const std::string> frame, std::uint64_t seq) {
  if (!open_ || closing_) return;
  if (kind_ == StreamKind::board || kind_ == StreamKind::replay) {
    // Deltas the snapshot already holds (or that come before it) are dropped.
    if (kind_ == StreamKind::board && (awaiting_snapshot_ || seq <= snapshot_seq_)) return;
    enqueue(std::move(frame));
    return;
  }
  // Queue stream: gathered, sent at most every opts_.pace.
  orders_bytes_ += frame->size();
  orders_.push_back(std::move(frame));
  if (orders_bytes_ > opts_.max_queue_bytes) {
    // Too far behind: drop what waits, tell the client to reload its queue.
    orders_.clear();
    orders_bytes_ = 0;
    ++hub_->counters().resyncs;
    enqueue(std::make_shared<const std::string>(R"({"type":"resync"})"));
    return;
  }
  if (pacing_) return;
  const auto since = std::chrono::steady_clock::now() - last_orders_;
  if (since >= opts_.pace) return flush_orders();
  pacing_ = true;
  pace_.expires_after(opts_.pace - since);
  pace_.async_wait([self = shared_from_this()](beast::error_code ec) {
    self->pacing_ = false;
    if (!ec) self->flush_orders();
  });
}

void ws_session::flush_orders() {
  if (orders_.empty() || !open_ || closing_) return;
  std::string out = R"({"type":"orders","seq":)" + std::to_string(++orders_seq_) + R"(,"items":[)";
  for (std::size_t i = 0; i < orders_.size(); ++i) {
    if (i) out += ',';
    out += *orders_[i];
  }
  out += "]}";
  orders_.clear();
  orders_bytes_ = 0;
  last_orders_ = std::chrono::steady_clock::now();
  enqueue(std::make_shared<const std::string>(std::move(out)));
}

void ws_session::enqueue(std::shared_ptr<const std::string> frame) {
  const bool full = queue_.size() >= opts_.max_queue_frames ||
                    queued_bytes_ + frame->size() > opts_.max_queue_bytes;
  if (full && kind_ != StreamKind::replay) {
    // A client that does not keep up: everything waiting (but the frame
    // being written) is dropped. A screen gets a fresh snapshot instead; a
    // queue is told to reload.
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      queued_bytes_ -= queue_.back()->size();
      hub_->counters().queued_bytes -= static_cast<long>(queue_.back()->size());
      queue_.pop_back();
    }
    if (kind_ == StreamKind::board) {
      ++hub_->counters().forced_snapshots;
      ask_snapshot();
      return;
    }
    ++hub_->counters().resyncs;
    frame = std::make_shared<const std::string>(R"({"type":"resync"})");
  }
  queued_bytes_ += frame->size();
  hub_->counters().queued_bytes += static_cast<long>(frame->size());
  queue_.push_back(std::move(frame));
  do_write();
}

void ws_session::do_write() {
  if (writing_ || queue_.empty() || closing_) return;
  writing_ = true;
  ws_.text(true);
  ws_.async_write(
      asio::buffer(*queue_.front()),
      [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_write(ec, n); });
}

void ws_session::on_write(beast::error_code ec, std::size_t n) {
  writing_ = false;
  const std::size_t size = queue_.front()->size();
  queued_bytes_ -= size;
  hub_->counters().queued_bytes -= static_cast<long>(size);
  queue_.pop_front();
  if (ec) {
    open_ = false;
    return;
  }
  ++hub_->counters().frames;
  hub_->counters().bytes += n;
  do_write();
}

void ws_session::do_read() {
  ws_.async_read(rbuf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void ws_session::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    // Closed by the client, a dead connection (no pong), or too large a message.
    open_ = false;
    stop_player_ = true;
    hub_->remove(this);
    pace_.cancel();
    if (kind_ != StreamKind::replay)
      spdlog::info("ws {} closed for {}: {}", stream_name(kind_), who_.actor.user, ec.message());
    return;
  }
  // The one request a client may make: {"type": "snapshot"} (it saw a gap).
  boost::system::error_code pec;
  auto v = json::parse(beast::buffers_to_string(rbuf_.data()), pec);
  rbuf_.consume(rbuf_.size());
  if (!pec && v.is_object() && kind_ == StreamKind::board) {
    const auto* t = v.as_object().if_contains("type");
    if (t && t->is_string() && t->get_string() == "snapshot") ask_snapshot();
  }
  do_read();
}

void ws_session::end(std::string reason) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
    if (!self->open_ || self->closing_) return;
    self->closing_ = true;
    spdlog::info("ws {} closed for {}: {}", stream_name(self->kind_), self->who_.actor.user,
                 reason);
    self->ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, reason),
                          [self](beast::error_code) {});
  });
}

// On the player thread: the board at `from`, then the day at `speed`.
void ws_session::play(db::Store* store, ReplaySpec spec) {
  std::weak_ptr<ws_session> weak = shared_from_this();
  const core::Millis until = spec.from + core::kDay;
  std::optional<engine::BoardPlayback> pb;
  try {
    pb.emplace(*store, spec.from, until);
  } catch (const std::exception& e) {
    spdlog::error("ws replay: {}", e.what());
    end("replay failed");
    return;
  }
  auto send = [&](json::object o) {
    o["replay"] = true;
    auto self = weak.lock();
    if (!self) return false;
    self->deliver(std::make_shared<const std::string>(json::serialize(o)), 0);
    return !self->stop_player_.load();
  };
  if (!send(pb->snapshot())) return;
  const auto t0 = std::chrono::steady_clock::now();
  core::Millis at = spec.from;
  while (at < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const double real =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    at = std::min<core::Millis>(until,
                                spec.from + static_cast<core::Millis>(real * spec.speed * 1000));
    auto d = pb->advance(at);
    if (d && !send(std::move(*d))) return;
    if (auto self = weak.lock(); !self || self->stop_player_) return;
  }
  send(json::object{{"type", "replay_end"}, {"at", until}});
}

}  // namespace huying::server
