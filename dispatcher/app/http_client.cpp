#include "dispatcher/app/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace huying::app {

bool parse_url(const std::string& url, std::string& host, unsigned short& port) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return false;
  std::string rest = url.substr(scheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) return false;
  host = rest.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  try {
    int p = std::stoi(rest.substr(colon + 1));
    if (p < 1 || p > 65535) return false;
    port = static_cast<unsigned short>(p);
  } catch (...) {
    return false;
  }
  in_addr a{};
  return inet_pton(AF_INET, host.c_str(), &a) == 1;
}

HttpClient::HttpClient(const std::string& url, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
  parse_url(url, host_, port_);
}

HttpClient::~HttpClient() { close_fd(); }

void HttpClient::close_fd() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buf_.clear();
}

bool HttpClient::connect_once(std::string& error) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) {
    error = std::strerror(errno);
    return false;
  }
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout_.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout_.count() % 1000) * 1000);
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error = std::string("connect: ") + std::strerror(errno);
    close_fd();
    return false;
  }
  return true;
}

HttpReply HttpClient::request(const std::string& method, const std::string& target,
                              const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpReply r;
  if (port_ == 0) {
    r.error = "bad url";
    return r;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + host_ + "\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PATCH")
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  // A kept-alive connection the server closed meanwhile fails on first use:
  // one fresh connection is tried then.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = fd_ >= 0;
    if (fd_ < 0 && !connect_once(r.error)) return r;
    std::size_t off = 0;
    bool sent = true;
    while (off < req.size()) {
      ssize_t n = ::send(fd_, req.data() + off, req.size() - off, MSG_NOSIGNAL);
      if (n <= 0) {
        sent = false;
        break;
      }
      off += static_cast<std::size_t>(n);
    }
    if (!sent) {
      r.error = std::string("send: ") + std::strerror(errno);
      close_fd();
      if (reused) continue;
      return r;
    }
    // Read the head, then Content-Length bytes of body.
    std::size_t head_end;
    bool failed = false;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      char tmp[16384];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) {
        failed = true;
        break;
      }
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
    if (failed) {
      r.error = buf_.empty() ? "no answer (connection closed)" : "answer cut short";
      const bool nothing = buf_.empty();
      close_fd();
      if (reused && nothing) continue;
      return r;
    }
    const std::string head = buf_.substr(0, head_end);
    if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) {
      r.error = "not an HTTP answer";
      close_fd();
      return r;
    }
    r.status = std::atoi(head.c_str() + 9);
    std::size_t length = 0;
    bool close_after = false;
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos) {
      std::size_t next = head.find("\r\n", pos + 2);
      std::string line =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string k = line.substr(0, colon);
        for (auto& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        std::string v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        if (k == "content-length") length = static_cast<std::size_t>(std::stoull(v));
        if (k == "connection" && v == "close") close_after = true;
        r.headers.emplace_back(std::move(k), std::move(v));
      }
      pos = next;
    }
    buf_.erase(0, head_end + 4);
    while (buf_.size() < length) {
      char tmp[16384];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) {
        r.status = 0;
        r.error = "body cut short";
        close_fd();
        return r;
      }
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    if (close_after) close_fd();
    return r;
  }
  return r;
}

}  // namespace huying::app
