// Order numbers: "HY" + Asia/Shanghai date (yyyymmdd) + a 6-digit daily
// sequence, e.g. HY20261123000123. Unique and sortable by creation.
#pragma once

#include <string>
#include <string_view>

#include "dispatcher/core/types.hpp"

namespace huying::core {

class OrderNumbering {
 public:
  // Tells the allocator about a number already issued (at start: the highest
  // one in the store), so next() never repeats it.
  void observe(std::string_view number);
  // The next number for an order created at `now`. Numbers stay increasing even
  // if the clock steps back: the sequence then continues on the last day used.
  std::string next(Millis now);

 private:
  int day_ = 0;   // yyyymmdd of the last number issued
  long seq_ = 0;  // its sequence
};

// True for a well-formed number (HY + 8 digits of a date + 6 or more digits).
bool valid_order_number(std::string_view s);

}  // namespace huying::core
