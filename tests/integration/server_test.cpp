// The real huying binary on an ephemeral port, spoken to over real sockets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "support/process.hpp"

using namespace huying;
namespace json = boost::json;

namespace {

struct HttpResult {
  int status = 0;
  std::string body;
};

// One HTTP/1.1 request with Connection: close, read to EOF.
HttpResult http(unsigned short port, const std::string& method, const std::string& target,
                const std::string& body = {}) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!body.empty())
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  REQUIRE(::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()));
  std::string resp;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<std::size_t>(n));
  close(fd);
  HttpResult r;
  REQUIRE(resp.rfind("HTTP/1.1 ", 0) == 0);
  r.status = std::stoi(resp.substr(9, 3));
  auto sep = resp.find("\r\n\r\n");
  r.body = sep == std::string::npos ? "" : resp.substr(sep + 4);
  return r;
}

struct Server {
  Server()
      : dir(std::filesystem::temp_directory_path() / ("huying-it-" + std::to_string(getpid()))) {
    std::filesystem::create_directories(dir);
    child =
        std::make_unique<test::Child>(std::vector<std::string>{HUYING_BIN, "serve", "--port", "0",
                                                               "--db", (dir / "it.db").string()},
                                      (dir / "server.log").string());
    auto line = child->read_line(std::chrono::seconds(30));
    REQUIRE(line.has_value());
    auto colon = line->rfind(':');
    REQUIRE(line->rfind("listening on http://127.0.0.1:", 0) == 0);
    port = static_cast<unsigned short>(std::stoi(line->substr(colon + 1)));
  }
  // Sends SIGTERM and returns the wait status.
  int stop() {
    stopped = true;
    child->signal(SIGTERM);
    return child->wait();
  }
  ~Server() {
    if (!stopped) stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path dir;
  std::unique_ptr<test::Child> child;
  unsigned short port = 0;
  bool stopped = false;
};

}  // namespace

TEST_CASE("serve: /healthz answers JSON on a real socket, unknown paths get a JSON 404") {
  Server s;
  auto h = http(s.port, "GET", "/healthz");
  CHECK(h.status == 200);
  auto j = json::parse(h.body).as_object();
  // The server answers while the engine loads (an empty store: moments).
  for (int i = 0; i < 100 && j.at("status").as_string() == "loading"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    j = json::parse(http(s.port, "GET", "/healthz").body).as_object();
  }
  CHECK(j.at("status").as_string() == "ok");
  CHECK(j.at("loading").as_bool() == false);
  CHECK(j.at("open_orders").to_number<int>() == 0);

  auto nf = http(s.port, "GET", "/nope");
  CHECK(nf.status == 404);
  CHECK(json::parse(nf.body).at("error").at("code").as_string() == "not_found");

  auto m = http(s.port, "POST", "/healthz", "{}");
  CHECK(m.status == 405);
}

TEST_CASE("serve: SIGTERM stops the server cleanly") {
  Server s;
  int st = s.stop();
  REQUIRE(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
}
