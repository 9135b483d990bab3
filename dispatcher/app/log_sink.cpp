#include "dispatcher/app/log_sink.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <mutex>
#include <string>

namespace huying::app {

namespace {

class BufferedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  ~BufferedStderrSink() override {
    std::lock_guard lk(mutex_);
    write_out();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    buf_.append(line.data(), line.size());
    if (buf_.size() >= kFlushBytes || msg.level >= spdlog::level::warn) write_out();
  }
  void flush_() override { write_out(); }

 private:
  static constexpr std::size_t kFlushBytes = 64 * 1024;

  void write_out() {
    std::size_t done = 0;
    while (done < buf_.size()) {
      ssize_t n = ::write(STDERR_FILENO, buf_.data() + done, buf_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // nowhere to write: the lines are dropped, not kept
      done += static_cast<std::size_t>(n);
    }
    buf_.clear();
  }

  std::string buf_;
};

}  // namespace

std::shared_ptr<spdlog::logger> stderr_logger(const char* name) {
  if (::isatty(STDERR_FILENO)) return spdlog::stderr_color_mt(name);
  auto logger = std::make_shared<spdlog::logger>(name, std::make_shared<BufferedStderrSink>());
  spdlog::register_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
  return logger;
}

}  // namespace huying::app
