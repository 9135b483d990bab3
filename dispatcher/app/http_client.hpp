// A small blocking HTTP/1.1 client over one keep-alive connection, for the
// load generator and the tools (plain POSIX sockets: the tools need no Asio).
// Not thread-safe: one per thread.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace huying::app {

struct HttpReply {
  int status = 0;  // 0: no answer (connection refused, reset, timed out)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string error;                                         // why status is 0
};

class HttpClient {
 public:
  // url: http://HOST:PORT (no path); HOST an IPv4 address or "localhost".
  explicit HttpClient(const std::string& url,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request (reconnecting first if needed) and reads the answer.
  HttpReply request(const std::string& method, const std::string& target,
                    const std::string& body = {},
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  bool connect_once(std::string& error);
  void close_fd();

  std::string host_;
  unsigned short port_ = 0;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::string buf_;  // bytes read past the last answer
};

// "http://127.0.0.1:8080" -> host and port; false when malformed.
bool parse_url(const std::string& url, std::string& host, unsigned short& port);

}  // namespace huying::app
