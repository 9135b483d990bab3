// The pages (web/dist, built by Vite) served by the server itself: read into
// memory once at start, so a request never touches the file system (no path
// ever reaches it). index.html and unknown page paths (the single-page app's
// own routes) are "no-cache"; files under assets/ carry a content hash in
// their names and are immutable for a year. Every page has a strict
// Content-Security-Policy.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "dispatcher/server/http_types.hpp"

namespace huying::server {

class StaticSite {
 public:
  // Loads every regular file under `root` (throws std::runtime_error naming
  // the folder when it cannot, or when it has no index.html). Empty: none.
  explicit StaticSite(const std::string& root = {});
  bool enabled() const { return !files_.empty(); }
  std::size_t files() const { return files_.size(); }
  // The answer for a GET/HEAD of `path` (decoded), or nullopt when the path
  // is not the site's (API paths, or a missing file with an extension).
  std::optional<HttpResponse> get(const std::string& path) const;

  static const char* content_type_of(const std::string& name);
  static const char* const kPolicy;  // the Content-Security-Policy of every page

 private:
  struct File {
    std::string body;
    std::string type;
    bool immutable = false;
  };
  HttpResponse answer(const File& f) const;
  std::map<std::string, File> files_;  // "/index.html", "/assets/app-1a2b.js", ...
};

}  // namespace huying::server
