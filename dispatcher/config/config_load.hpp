// Loading and validating a deployment folder (YAML files, optional GeoJSON).
// The one place in core that reads files. Errors name the file, the line and
// the reason; every error found is reported, not only the first.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dispatcher/core/config.hpp"

namespace huying::core {

struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when the whole file is concerned
  std::string reason;
  std::string to_string() const;  // "file:line: reason"
};

struct LoadResult {
  std::shared_ptr<const Deployment> deployment;  // null when errors is not empty
  std::vector<ConfigError> errors;
  bool ok() const { return errors.empty(); }
};

// Reads DIR/{deployment,areas,departments,categories,gazetteer,routing,users}.yaml
// and DIR/polygons.geojson when present.
LoadResult load_deployment(const std::string& dir);

// Validates an in-memory deployment (load_deployment calls this too).
std::vector<ConfigError> validate(const Deployment& d);

// A few lines for `huying check-config`: counts of each kind of item.
std::string summarize(const Deployment& d);

// Warnings that depend on the date: the holiday data should reach at least
// a quarter past `now`, or deadlines are estimates (weekly hours only).
std::vector<std::string> coverage_warnings(const Deployment& d, Millis now);

}  // namespace huying::core
