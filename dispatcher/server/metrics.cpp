#include "dispatcher/server/metrics.hpp"

#include <cstdio>

namespace huying::server {

std::string prom_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Metrics::observe(const std::string& method, const std::string& route, unsigned status,
                      double seconds) {
  std::string key = method + " " + route;
  std::lock_guard lk(mu_);
  ++requests_[key][status];
  auto& h = latency_[key];
  ++h.count;
  h.sum += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.le[i];
}

std::string Metrics::render() const {
  auto labels = [](const std::string& key) {
    auto sp = key.find(' ');
    return "method=\"" + prom_label(key.substr(0, sp)) + "\",route=\"" +
           prom_label(key.substr(sp + 1)) + "\"";
  };
  std::string out;
  std::lock_guard lk(mu_);
  out +=
      "# HELP huying_http_requests_total HTTP requests answered, by route pattern and status.\n"
      "# TYPE huying_http_requests_total counter\n";
  for (const auto& [key, by_status] : requests_)
    for (const auto& [status, n] : by_status)
      out += "huying_http_requests_total{" + labels(key) + ",status=\"" + std::to_string(status) +
             "\"} " + std::to_string(n) + "\n";
  out +=
      "# HELP huying_http_request_duration_seconds Time from a request read to its answer.\n"
      "# TYPE huying_http_request_duration_seconds histogram\n";
  char num[64];
  for (const auto& [key, h] : latency_) {
    const std::string l = labels(key);
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      std::snprintf(num, sizeof num, "%g", kBuckets[i]);
      out += "huying_http_request_duration_seconds_bucket{" + l + ",le=\"" + num + "\"} " +
             std::to_string(h.le[i]) + "\n";
    }
    out += "huying_http_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    std::snprintf(num, sizeof num, "%.6f", h.sum);
    out += "huying_http_request_duration_seconds_sum{" + l + "} " + num + "\n";
    out +=
        "huying_http_request_duration_seconds_count{" + l + "} " + std::to_string(h.count) + "\n";
  }
  return out;
}

}  // namespace huying::server
