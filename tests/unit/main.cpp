#define CATCH_CONFIG_RUNNER
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>

int main(int argc, char* argv[]) {
  // State-change lines are info; keep test output to warnings and up.
  spdlog::set_level(spdlog::level::warn);
  return Catch::Session().run(argc, argv);
}
