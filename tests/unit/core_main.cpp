// The core tests' runner: Catch2 alone, no logging library (the core has none).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
