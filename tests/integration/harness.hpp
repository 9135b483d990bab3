// The real huying binary on an ephemeral port with a temp SQLite file, and
// a small HTTP/1.1 client over real sockets.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace huying::it {

namespace json = boost::json;

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  json::value json() const {
    json::error_code ec;
    auto v = json::parse(body, ec);
    return ec ? json::value(nullptr) : v;
  }
  // error.code of the one error shape ("" when not an error body).
  std::string error_code() const {
    auto v = json();
    if (!v.is_object()) return "";
    auto* e = v.as_object().if_contains("error");
    if (!e || !e->is_object()) return "";
    auto* c = e->as_object().if_contains("code");
    return c && c->is_string() ? std::string(c->as_string()) : "";
  }
};

inline int connect_to(unsigned short port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval tv{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

inline Response parse_response(const std::string& resp) {
  Response r;
  if (resp.rfind("HTTP/1.1 ", 0) != 0) return r;  // status 0: no HTTP answer
  r.status = std::stoi(resp.substr(9, 3));
  auto sep = resp.find("\r\n\r\n");
  std::string head = resp.substr(0, sep);
  std::size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos < head.size()) {
    std::size_t next = head.find("\r\n", pos + 2);
    std::string line =
        head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string k = line.substr(0, colon);
      for (auto& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      r.headers[k] = v;
    }
    pos = next;
  }
  r.body = sep == std::string::npos ? "" : resp.substr(sep + 4);
  return r;
}

// Sends raw bytes on a fresh connection, half-closes, reads to EOF.
inline std::string raw(unsigned short port, const std::string& bytes, bool half_close = true) {
  int fd = connect_to(port);
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early on a huge request
    off += static_cast<std::size_t>(n);
  }
  if (half_close) shutdown(fd, SHUT_WR);
  std::string resp;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return resp;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

// One request with Connection: close.
inline Response http(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body = {}, const Headers& headers = {}) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    req += k + ": " + v + "\r\n";
    has_type = has_type || k == "Content-Type";
  }
  if (!body.empty() || method == "POST" || method == "PATCH") {
    if (!has_type) req += "Content-Type: application/json\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  return parse_response(raw(port, req, false));
}

struct ServerOptions {
  std::string config = std::string(HUYING_SOURCE_DIR) + "/config/example";
  std::vector<std::string> extra;  // more flags
  // The example district dispatches confidently placed calls at once; tests
  // that walk the desk's steps turn that off in a copy of the config.
  bool auto_dispatch = false;
  // Edits the copy's deployment.yaml (e.g. a platform's base_url).
  std::function<void(std::string&)> edit_deployment;
};

// A port free now (for servers that must come back on the same one).
inline unsigned short free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// The server, on a temp folder that outlives restarts of the process.
struct Server {
  explicit Server(ServerOptions o = {})
      : opts(std::move(o)),
        dir(std::filesystem::temp_directory_path() /
            ("huying-it-" + std::to_string(getpid()) + "-" + std::to_string(counter()++))) {
    std::filesystem::create_directories(dir);
    if (!opts.config.empty() && !opts.auto_dispatch) {
      // The whole config folder: the district's files refer to ../holidays.
      const std::filesystem::path from(opts.config);
      std::filesystem::copy(from.parent_path(), dir / "config",
                            std::filesystem::copy_options::recursive);
      const auto copy = dir / "config" / from.filename();
      std::ifstream in(copy / "deployment.yaml");
      std::string text((std::istreambuf_iterator<char>(in)), {});
      auto at = text.find("auto_dispatch: true");
      REQUIRE(at != std::string::npos);
      text.replace(at, 19, "auto_dispatch: false");
      if (opts.edit_deployment) opts.edit_deployment(text);
      std::ofstream(copy / "deployment.yaml") << text;
      opts.config = copy.string();
    }
    start();
  }
  std::string pg_schema() const {
    std::string name = dir.filename().string();  // huying-it-PID-N
    for (auto& ch : name)
      if (ch == '-') ch = '_';
    return name;
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  void start() {
    std::vector<std::string> argv{HUYING_BIN, "serve", "--port", "0"};
    // On PostgreSQL when HUYING_TEST_PG names a server (tests/pg/
    // integration_suite.sh starts one): a schema per Server, kept across restarts.
    if (const char* pg = std::getenv("HUYING_TEST_PG"); pg && *pg) {
      argv.insert(argv.end(), {"--db", pg, "--db-schema", pg_schema()});
    } else {
      argv.insert(argv.end(), {"--db", (dir / "it.db").string()});
    }
    if (!opts.config.empty()) {
      argv.push_back("--config");
      argv.push_back(opts.config);
    }
    for (const auto& e : opts.extra) argv.push_back(e);
    child = std::make_unique<test::Child>(argv, (dir / "server.log").string());
    stopped = false;
    auto line = child->read_line(std::chrono::seconds(60));
    REQUIRE(line.has_value());
    REQUIRE(line->rfind("listening on http://127.0.0.1:", 0) == 0);
    port = static_cast<unsigned short>(std::stoi(line->substr(line->rfind(':') + 1)));
  }
  // Sends SIGTERM and returns the wait status.
  int stop() {
    stopped = true;
    child->signal(SIGTERM);
    return child->wait();
  }
  // Kills with SIGKILL (no chance to finish anything) and waits.
  void kill9() {
    child->signal(SIGKILL);
    child->wait();
    stopped = true;
  }
  void restart() {
    if (!stopped) stop();
    start();
  }
  ~Server() {
    if (!stopped) stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string log() const {
    std::ifstream in(dir / "server.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Signs in; returns the bearer token.
  std::string login(const std::string& user, const std::string& password = "demo") {
    auto r = http(port, "POST", "/api/v1/session",
                  json::serialize(json::object{{"user", user}, {"password", password}}));
    INFO(user << ": " << r.body);
    REQUIRE(r.status == 200);
    return std::string(r.json().at("token").as_string());
  }

  Response call(const std::string& token, const std::string& method, const std::string& target,
                const json::value& body = nullptr, Headers headers = {}) {
    headers.emplace_back("Authorization", "Bearer " + token);
    return http(port, method, target, body.is_null() ? "" : json::serialize(body), headers);
  }

  ServerOptions opts;
  std::filesystem::path dir;
  std::unique_ptr<test::Child> child;
  unsigned short port = 0;
  bool stopped = true;
};

// Runs a command with the order's current version (read as op1); returns
// the response.
inline Response act(Server& s, const std::string& token, const std::string& no,
                    const std::string& cmd, json::object args = {}) {
  auto cur = s.call(s.login("op1"), "GET", "/api/v1/orders/" + no);
  REQUIRE(cur.status == 200);
  args["version"] = cur.json().at("order").at("version");
  return s.call(token, "POST", "/api/v1/orders/" + no + "/" + cmd, args);
}

}  // namespace huying::it
