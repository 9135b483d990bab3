// The pages served by the server itself (--web DIR): MIME types, caching
// (hashed assets immutable, index.html no-cache), a strict CSP, the single-
// page app's own routes, and nothing outside the folder ever served.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "integration/harness.hpp"

using namespace huying::it;
namespace fs = std::filesystem;

namespace {
struct Site {
  fs::path dir = fs::temp_directory_path() / ("huying-web-" + std::to_string(getpid()));
  Site() {
    fs::create_directories(dir / "assets");
    std::ofstream(dir / "index.html")
        << "<!doctype html><title>呼应</title><div id=app>INDEX</div>";
    std::ofstream(dir / "assets" / "index-3f2a9c1b.js") << "console.log('app')";
    std::ofstream(dir / "assets" / "index-77aa01cd.css") << "body{margin:0}";
    std::ofstream(dir / "district.geojson") << R"({"type":"FeatureCollection","features":[]})";
    fs::create_symlink("/etc/hostname", dir / "secret.txt");  // a link out: never served
  }
  ~Site() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};
}  // namespace

TEST_CASE("pages: the built pages are served with types, caching and a strict CSP") {
  Site site;
  Server s({.extra = {"--web", site.dir.string()}});
  auto index = http(s.port, "GET", "/");
  REQUIRE(index.status == 200);
  CHECK(index.headers["content-type"] == "text/html; charset=utf-8");
  CHECK(index.headers["cache-control"] == "no-cache");
  CHECK(index.headers["content-security-policy"].find("default-src 'self'") != std::string::npos);
  CHECK(index.headers["content-security-policy"].find("frame-ancestors 'none'") !=
        std::string::npos);
  CHECK(index.headers["x-content-type-options"] == "nosniff");
  CHECK(index.body.find("INDEX") != std::string::npos);

  auto js = http(s.port, "GET", "/assets/index-3f2a9c1b.js");
  REQUIRE(js.status == 200);
  CHECK(js.headers["content-type"] == "text/javascript; charset=utf-8");
  CHECK(js.headers["cache-control"] == "public, max-age=31536000, immutable");
  CHECK(http(s.port, "GET", "/assets/index-77aa01cd.css").headers["content-type"] ==
        "text/css; charset=utf-8");
  auto geo = http(s.port, "GET", "/district.geojson");
  CHECK(geo.headers["content-type"] == "application/geo+json; charset=utf-8");
  CHECK(geo.headers["cache-control"] == "no-cache");

  // The app's own routes get index.html; a missing file is a JSON 404.
  for (const char* route : {"/board", "/desk/inbox", "/login"}) {
    auto r = http(s.port, "GET", route);
    CHECK(r.status == 200);
    CHECK(r.body.find("INDEX") != std::string::npos);
  }
  auto missing = http(s.port, "GET", "/assets/nothing-0000.js");
  CHECK(missing.status == 404);
  CHECK(missing.error_code() == "not_found");
  // Nothing outside the folder: not a link out, not a climb up.
  CHECK(http(s.port, "GET", "/secret.txt").status == 404);
  for (const char* climb : {"/../../etc/hostname", "/%2e%2e/%2e%2e/etc/hostname",
                            "/assets/..%2f..%2fetc%2fhostname", "/..%5c..%5cetc%5chostname"}) {
    auto r = http(s.port, "GET", climb);
    INFO(climb << " -> " << r.status);
    CHECK((r.status == 404 || r.status == 400 || r.body.find("INDEX") != std::string::npos));
  }
  // The API keeps its own answers.
  CHECK(http(s.port, "GET", "/api/v1/nothing").error_code() == "not_found");
  CHECK(http(s.port, "GET", "/healthz").headers["content-type"].find("json") != std::string::npos);
  CHECK(http(s.port, "GET", "/healthz").headers["cache-control"] == "no-store");
  auto head = http(s.port, "HEAD", "/");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(http(s.port, "POST", "/", "{}").status == 404);
}

TEST_CASE("pages: a web folder that is missing or has no index.html stops the start, named") {
  fs::path empty = fs::temp_directory_path() / ("huying-web-empty-" + std::to_string(getpid()));
  fs::create_directories(empty);
  for (const std::string& dir : {std::string("/nonexistent/web/dist"), empty.string()}) {
    const std::string cmd = std::string("timeout 20 ") + HUYING_BIN + " serve --port 0 --db " +
                            (empty / "x.db").string() + " --web " + dir + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    const int status = pclose(p);
    INFO(out);
    CHECK(WEXITSTATUS(status) != 0);
    CHECK(WEXITSTATUS(status) != 124);  // not killed by timeout: it refused
    CHECK(out.find("web folder " + dir) != std::string::npos);
  }
  fs::remove_all(empty);
}
