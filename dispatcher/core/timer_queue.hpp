// TimerQueue: every open order's next due instant in one indexed binary
// min-heap. One entry per key (the order's dense id): schedule (insert or
// move), cancel and pop-due are O(log n); build from a list is O(n). The
// engine arms one real timer for top().
//
// Memory: 16 bytes per entry plus 4 bytes per key value up to the largest
// key seen (an index from key to heap slot).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "dispatcher/core/types.hpp"

namespace huying::core {

class TimerQueue {
 public:
  using Key = std::uint32_t;
  struct Entry {
    Millis due;
    Key key;
  };

  // Inserts `key` due at `due`, or moves it there if present.
  void schedule(Key key, Millis due);
  // Removes `key`; no-op when absent.
  void cancel(Key key);
  bool contains(Key key) const { return key < pos_.size() && pos_[key] != 0; }
  std::optional<Millis> due_of(Key key) const;
  std::size_t size() const { return heap_.size(); }
  bool empty() const { return heap_.empty(); }
  // The earliest entry (ties: the smaller key).
  std::optional<Entry> top() const;
  // Removes and returns every entry due at or before `now`, earliest first,
  // at most `max` of them.
  std::vector<Entry> pop_due(Millis now, std::size_t max = SIZE_MAX);
  // Replaces the contents (O(n)). REQUIRES: keys distinct.
  void build(std::vector<Entry> entries);
  void clear();
  std::size_t memory_bytes() const;

 private:
  static bool less(const Entry& a, const Entry& b) {
    return a.due != b.due ? a.due < b.due : a.key < b.key;
  }
  void place(std::size_t i, Entry e);
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);
  void remove_at(std::size_t i);

  std::vector<Entry> heap_;
  std::vector<std::uint32_t> pos_;  // key -> heap index + 1; 0 = absent
};

}  // namespace huying::core
