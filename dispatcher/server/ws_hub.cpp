#include "dispatcher/server/ws_hub.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "dispatcher/core/access.hpp"
#include "dispatcher/server/auth.hpp"

namespace huying::server {

const char* stream_name(StreamKind k) {
  switch (k) {
    case StreamKind::board:
      return "board";
    case StreamKind::queue:
      return "queue";
    case StreamKind::replay:
      return "replay";
  }
  return "board";
}

Hub::Hub(engine::Engine& engine, Auth& auth) : engine_(engine), auth_(auth) {}

void Hub::add(StreamKind kind, const std::shared_ptr<StreamSink>& sink, const Principal& who) {
  std::lock_guard lk(mu_);
  entries_.push_back({kind, sink, sink.get(), who});
  if (kind == StreamKind::queue) ++queue_clients_;
  ++counters_.clients[static_cast<int>(kind)];
}

void Hub::remove(const StreamSink* sink) {
  std::lock_guard lk(mu_);
  auto it =
      std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.raw == sink; });
  if (it == entries_.end()) return;
  if (it->kind == StreamKind::queue) --queue_clients_;
  --counters_.clients[static_cast<int>(it->kind)];
  entries_.erase(it);
}

void Hub::check_sessions() {
  std::vector<std::shared_ptr<StreamSink>> ended;
  {
    std::lock_guard lk(mu_);
    for (const auto& e : entries_)
      if (!auth_.alive(e.who.session_id))
        if (auto s = e.sink.lock()) ended.push_back(std::move(s));
  }
  for (auto& s : ended) s->end("session ended");
}

void Hub::board_delta(std::shared_ptr<const std::string> frame, std::uint64_t seq) {
  std::vector<std::shared_ptr<StreamSink>> to;
  {
    std::lock_guard lk(mu_);
    for (const auto& e : entries_)
      if (e.kind == StreamKind::board)
        if (auto s = e.sink.lock()) to.push_back(std::move(s));
  }
  for (auto& s : to) s->deliver(frame, seq);
}

void Hub::orders_changed(std::vector<std::shared_ptr<const engine::OrderNotice>> notices) {
  std::vector<std::pair<std::shared_ptr<StreamSink>, core::Actor>> to;
  {
    std::lock_guard lk(mu_);
    for (const auto& e : entries_)
      if (e.kind == StreamKind::queue)
        if (auto s = e.sink.lock()) to.emplace_back(std::move(s), e.who.actor);
  }
  // Scope: the REST API's rule, order by order; nothing about an order
  // leaves for a stream whose actor may not see it.
  for (auto& [sink, actor] : to)
    for (const auto& n : notices)
      if (core::can_see(n->order, actor)) sink->deliver(n->frame, 0);
}

}  // namespace huying::server
