#include "dispatcher/core/outbox.hpp"

#include <boost/json.hpp>

namespace huying::core {

namespace json = boost::json;

namespace {
const Platform* platform_of(const Deployment& d, const std::string& code) {
  for (const auto& p : d.platforms)
    if (p.code == code) return &p;
  return nullptr;
}
}  // namespace

std::vector<OutboxItem> outbox_items(const OrderChange& change, const Deployment& d) {
  std::vector<OutboxItem> out;
  const WorkOrder& o = change.order;
  for (const auto& e : change.events) {
    if (e.type == EventType::transferred_out) {
      const Platform* p = platform_of(d, str_at(e.data, "platform"));
      if (!p || p->base_url.empty()) continue;  // delivered by hand (phone, the other system)
      json::object body{{"reference", o.number},      {"kind", name(o.kind)},
                        {"urgency", name(o.urgency)}, {"category", o.category},
                        {"title", o.title},           {"description", o.description},
                        {"address", o.address},       {"reason", str_at(e.data, "reason")}};
      // The other platform's departments may need to reach the caller; a
      // confidential caller stays with us (we call back).
      if (!o.confidential && !o.citizen.phone.empty())
        body["citizen"] = {{"name", o.citizen.name}, {"phone", o.citizen.phone}};
      out.push_back({o.number + ":transfer",
                     {{"type", "transfer"},
                      {"platform", p->code},
                      {"order", o.number},
                      {"path", "/api/v1/platform/transfers"},
                      {"body", std::move(body)},
                      {"attempts", 0},
                      {"next_at", 0}}});
    } else if (e.type == EventType::replied && !o.origin_platform.empty()) {
      const Platform* p = platform_of(d, o.origin_platform);
      if (!p || p->base_url.empty()) continue;
      out.push_back({o.number + ":result:" + std::to_string(e.seq),
                     {{"type", "result"},
                      {"platform", p->code},
                      {"order", o.number},
                      {"path", "/api/v1/platform/results"},
                      {"body",
                       {{"reference", o.origin_ref},
                        {"number", o.number},
                        {"result", str_at(e.data, "result")}}},
                      {"attempts", 0},
                      {"next_at", 0}}});
    }
  }
  return out;
}

}  // namespace huying::core
