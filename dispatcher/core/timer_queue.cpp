#include "dispatcher/core/timer_queue.hpp"

namespace huying::core {

void TimerQueue::place(std::size_t i, Entry e) {
  heap_[i] = e;
  pos_[e.key] = static_cast<std::uint32_t>(i + 1);
}

void TimerQueue::sift_up(std::size_t i) {
  Entry e = heap_[i];
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (!less(e, heap_[parent])) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, e);
}

void TimerQueue::sift_down(std::size_t i) {
  const std::size_t n = heap_.size();
  Entry e = heap_[i];
  for (;;) {
    std::size_t l = 2 * i + 1;
    if (l >= n) break;
    std::size_t c = l + 1 < n && less(heap_[l + 1], heap_[l]) ? l + 1 : l;
    if (!less(heap_[c], e)) break;
    place(i, heap_[c]);
    i = c;
  }
  place(i, e);
}

void TimerQueue::schedule(Key key, Millis due) {
  if (key >= pos_.size()) pos_.resize(static_cast<std::size_t>(key) + 1 + pos_.size() / 2, 0);
  if (std::uint32_t p = pos_[key]) {
    std::size_t i = p - 1;
    Millis old = heap_[i].due;
    heap_[i].due = due;
    if (due < old)
      sift_up(i);
    else
      sift_down(i);
    return;
  }
  heap_.push_back({due, key});
  sift_up(heap_.size() - 1);
}

void TimerQueue::remove_at(std::size_t i) {
  pos_[heap_[i].key] = 0;
  Entry last = heap_.back();
  heap_.pop_back();
  if (i == heap_.size()) return;
  place(i, last);
  sift_down(i);
  sift_up(pos_[last.key] - 1);
}

void TimerQueue::cancel(Key key) {
  if (contains(key)) remove_at(pos_[key] - 1);
}

std::optional<Millis> TimerQueue::due_of(Key key) const {
  if (!contains(key)) return std::nullopt;
  return heap_[pos_[key] - 1].due;
}

std::optional<TimerQueue::Entry> TimerQueue::top() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front();
}

std::vector<TimerQueue::Entry> TimerQueue::pop_due(Millis now, std::size_t max) {
  std::vector<Entry> out;
  while (!heap_.empty() && heap_.front().due <= now && out.size() < max) {
    out.push_back(heap_.front());
    remove_at(0);
  }
  return out;
}

void TimerQueue::build(std::vector<Entry> entries) {
  Key max_key = 0;
  for (const auto& e : entries) max_key = std::max(max_key, e.key);
  pos_.assign(entries.empty() ? 0 : static_cast<std::size_t>(max_key) + 1, 0);
  heap_ = std::move(entries);
  for (std::size_t i = 0; i < heap_.size(); ++i)
    pos_[heap_[i].key] = static_cast<std::uint32_t>(i + 1);
  for (std::size_t i = heap_.size() / 2; i-- > 0;) sift_down(i);
}

void TimerQueue::clear() {
  heap_.clear();
  pos_.clear();
}

std::size_t TimerQueue::memory_bytes() const {
  return heap_.capacity() * sizeof(Entry) + pos_.capacity() * sizeof(std::uint32_t);
}

}  // namespace huying::core
