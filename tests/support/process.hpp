// A child process with its stdout on a pipe, for crash and integration tests.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace huying::test {

class Child {
 public:
  // Starts argv[0] with the given arguments; stdout goes to a pipe we read,
  // stderr to `stderr_path` (or is inherited when empty).
  explicit Child(const std::vector<std::string>& argv, const std::string& stderr_path = {}) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // Not the test framework's handlers: a signal before exec must act as
      // it would on the real program.
      for (int sig : {SIGTERM, SIGINT, SIGSEGV, SIGABRT, SIGPIPE}) ::signal(sig, SIG_DFL);
      dup2(fds[1], 1);
      close(fds[0]);
      close(fds[1]);
      if (!stderr_path.empty()) {
        int e = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (e >= 0) dup2(e, 2);
      }
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      wait();
    }
    if (out_ >= 0) close(out_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }

  // The next stdout line, or nullopt at EOF or after the timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      int n = poll(&p, 1, static_cast<int>(left));
      if (n <= 0) continue;
      char tmp[4096];
      ssize_t got = ::read(out_, tmp, sizeof tmp);
      if (got <= 0) return std::nullopt;  // EOF
      buf_.append(tmp, static_cast<std::size_t>(got));
    }
  }

  // Every remaining complete line until EOF (after the child died).
  std::vector<std::string> drain() {
    std::vector<std::string> lines;
    while (auto l = read_line(std::chrono::seconds(5))) lines.push_back(*l);
    return lines;
  }

  void signal(int sig) { kill(pid_, sig); }

  // Waits for exit; returns the raw wait status.
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool reaped_ = false;
  std::string buf_;
};

}  // namespace huying::test
