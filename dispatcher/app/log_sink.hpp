// Where the logs go. To a terminal: spdlog's colour sink, a line at a time.
// Anywhere else (a file, a pipe to journald): lines gather in memory and go
// out in one write per 64 KiB, at least once a second, and at once for a
// warning or worse. Under load the server logs a line per request and per
// state change; a write(2) per line was a twentieth of its time.
#pragma once

#include <memory>

namespace spdlog {
class logger;
}

namespace huying::app {

// The process's logger, named `name`, on standard error. Starts the
// once-a-second flush when the output is buffered.
std::shared_ptr<spdlog::logger> stderr_logger(const char* name);

}  // namespace huying::app
