#include "dispatcher/server/static_site.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace huying::server {

namespace fs = std::filesystem;

const char* const StaticSite::kPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const char* StaticSite::content_type_of(const std::string& name) {
  static const std::map<std::string, const char*> types = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".geojson", "application/geo+json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".mp3", "audio/mpeg"},
      {".wav", "audio/wav"},
      {".txt", "text/plain; charset=utf-8"},
  };
  auto ext = fs::path(name).extension().string();
  auto it = types.find(ext);
  return it == types.end() ? "application/octet-stream" : it->second;
}

StaticSite::StaticSite(const std::string& root) {
  if (root.empty()) return;
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec || !fs::is_directory(base))
    throw std::runtime_error("web folder " + root + ": not a folder (" + ec.message() + ")");
  for (auto it = fs::recursive_directory_iterator(base, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    // Regular files only, and only inside the folder (a link out is skipped).
    if (!it->is_regular_file()) continue;
    const fs::path real = fs::canonical(it->path(), ec);
    if (ec) continue;
    const auto rel = real.lexically_relative(base);
    if (rel.empty() || *rel.begin() == "..") continue;
    std::ifstream in(real, std::ios::binary);
    File f{std::string(std::istreambuf_iterator<char>(in), {}), content_type_of(real.string()),
           *rel.begin() == "assets"};
    files_["/" + rel.generic_string()] = std::move(f);
  }
  if (ec) throw std::runtime_error("web folder " + root + ": " + ec.message());
  if (!files_.count("/index.html"))
    throw std::runtime_error("web folder " + root + " has no index.html (run the web build)");
}

HttpResponse StaticSite::answer(const File& f) const {
  HttpResponse r;
  r.status = 200;
  r.content_type = f.type;
  r.body = f.body;
  r.headers.emplace_back("Cache-Control",
                         f.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("Content-Security-Policy", kPolicy);
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

std::optional<HttpResponse> StaticSite::get(const std::string& path) const {
  if (files_.empty()) return std::nullopt;
  for (const char* api : {"/api/", "/open311/", "/ws/"})
    if (path.rfind(api, 0) == 0) return std::nullopt;
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") return std::nullopt;
  if (auto it = files_.find(path); it != files_.end()) return answer(it->second);
  // The app's own routes (/board, /desk/inbox): no extension in the last
  // segment. A missing file (an extension) is a 404.
  const auto slash = path.rfind('/');
  if (path.find('.', slash == std::string::npos ? 0 : slash) != std::string::npos)
    return std::nullopt;
  return answer(files_.at("/index.html"));
}

}  // namespace huying::server
