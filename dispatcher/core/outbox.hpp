// 跨域转办 between platforms: what must be sent to another platform after a
// commit. Pure: the engine puts these items into the same batch as the
// events that caused them (so a transfer is never committed without its
// delivery, nor the other way round), and the outbox (app/outbox) sends them.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "dispatcher/core/config.hpp"
#include "dispatcher/core/lifecycle.hpp"

namespace huying::core {

struct OutboxItem {
  std::string key;            // unique: the receiving side's idempotency key too
  boost::json::object value;  // {type, platform, order, path, body, attempts, next_at}
};

// The deliveries a committed change calls for:
// - a transfer_out to a platform with a base_url: the order, to be logged on
//   the other platform (POST /api/v1/platform/transfers there);
// - a reply to an order that came from another platform (channel
//   cross_domain): the result, back to its origin (POST /api/v1/platform/results).
std::vector<OutboxItem> outbox_items(const OrderChange& change, const Deployment& d);

}  // namespace huying::core
