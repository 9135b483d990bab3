// Request metrics for /metrics (Prometheus text format 0.0.4): counts by
// route and status, and a latency histogram by route. Thread-safe; the
// route is the pattern (/api/v1/orders/{no}), never the concrete path.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace huying::server {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void observe(const std::string& method, const std::string& route, unsigned status,
               double seconds);
  // The request series, as exposition text (HELP/TYPE lines included).
  std::string render() const;

 private:
  struct Hist {
    std::array<std::uint64_t, kBuckets.size()> le{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::map<unsigned, std::uint64_t>> requests_;  // "method route" -> status
  std::map<std::string, Hist> latency_;
};

// A label value escaped for the exposition format.
std::string prom_label(const std::string& v);

}  // namespace huying::server
