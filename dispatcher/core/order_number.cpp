#include "dispatcher/core/order_number.hpp"

#include <cstdio>

#include "dispatcher/core/clock.hpp"

namespace huying::core {

namespace {
int day_key(Millis t) {
  auto d = shanghai_date(t);
  return d.year * 10000 + static_cast<int>(d.month) * 100 + static_cast<int>(d.day);
}
bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}
}  // namespace

bool valid_order_number(std::string_view s) {
  return s.size() >= 16 && s.substr(0, 2) == "HY" && all_digits(s.substr(2));
}

void OrderNumbering::observe(std::string_view number) {
  if (!valid_order_number(number)) return;
  int day = std::stoi(std::string(number.substr(2, 8)));
  long seq = std::stol(std::string(number.substr(10)));
  if (day > day_ || (day == day_ && seq > seq_)) {
    day_ = day;
    seq_ = seq;
  }
}

std::string OrderNumbering::next(Millis now) {
  int day = day_key(now);
  if (day > day_) {
    day_ = day;
    seq_ = 0;
  }
  ++seq_;
  char buf[32];
  std::snprintf(buf, sizeof buf, "HY%08d%06ld", day_, seq_);
  return buf;
}

}  // namespace huying::core
