// Config validation: the minimal config loads; each broken variant under
// tests/data/config/broken/NAME (files overlaid on the minimal one) gives the
// file:line message in NAME/expect.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "dispatcher/config/config_load.hpp"
#include "dispatcher/core/routing.hpp"
#include "unit/temp_dir.hpp"

using namespace huying::core;
namespace fs = std::filesystem;

namespace {
const fs::path kData = fs::path(HUYING_SOURCE_DIR) / "tests/data/config";

std::string relative(const ConfigError& e) {
  std::string file = fs::path(e.file).filename().string();
  return e.line > 0 ? file + ":" + std::to_string(e.line) + ": " + e.reason
                    : file + ": " + e.reason;
}
}  // namespace

TEST_CASE("config: the minimal test district loads and routes") {
  auto res = load_deployment((kData / "minimal").string());
  for (const auto& e : res.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(res.ok());
  Router r(*res.deployment);
  CHECK(r.route({Kind::complaint, Urgency::normal, "城市管理/占道经营", "440698002001", ""}).lead ==
        "hub-b");
  CHECK(r.route({Kind::complaint, Urgency::normal, "城市管理/乱张贴", "440698001001", ""}).lead ==
        "cg");
  CHECK(summarize(*res.deployment).find("2 streets/towns, 3 communities/villages") !=
        std::string::npos);
}

TEST_CASE("config: each deliberately broken config names file, line and reason") {
  int cases = 0;
  for (const auto& dir : fs::directory_iterator(kData / "broken")) {
    INFO("case " << dir.path().filename().string());
    huying::test::TempDir tmp;
    fs::path work = tmp.file("cfg");
    fs::copy(kData / "minimal", work, fs::copy_options::recursive);
    std::string expect;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      if (f.path().filename() == "expect") {
        std::ifstream in(f.path());
        std::getline(in, expect);
      } else {
        fs::copy_file(f.path(), work / f.path().filename(), fs::copy_options::overwrite_existing);
      }
    }
    REQUIRE_FALSE(expect.empty());
    auto res = load_deployment(work.string());
    REQUIRE_FALSE(res.ok());
    CHECK(res.deployment == nullptr);
    bool found = false;
    std::string all;
    for (const auto& e : res.errors) {
      all += relative(e) + "\n";
      if (relative(e).rfind(expect, 0) == 0) found = true;
      // Every message points into the folder.
      CHECK(e.file.rfind(work.string(), 0) == 0);
    }
    INFO("errors:\n" << all << "expected:\n" << expect);
    CHECK(found);
    ++cases;
  }
  CHECK(cases >= 10);
}

TEST_CASE("config: a missing folder or file is an error, not an empty district") {
  auto res = load_deployment("/nonexistent/huying");
  REQUIRE_FALSE(res.ok());
  huying::test::TempDir tmp;
  fs::create_directories(tmp.file("empty"));
  auto empty = load_deployment(tmp.file("empty"));
  REQUIRE_FALSE(empty.ok());
  CHECK(relative(empty.errors.front()) == "deployment.yaml: file is missing");
}
