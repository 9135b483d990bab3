// City-scale deployment generator for benchmarks: 16 districts, ~340 streets,
// ~6,000 communities, ~2,900 departments, 2,000 routing overrides, a
// gazetteer of ~8,000 entries. Categories, escalation and emergency cues are
// the example district's. Deterministic (fixed seed).
//
//   gen_config EXAMPLE_DIR OUT_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dispatcher/config/config_load.hpp"

namespace fs = std::filesystem;
using namespace huying::core;

namespace {

const char* kWords[] = {"东湖", "西山", "南港", "北岭", "金沙", "龙江", "九江", "丹灶",
                        "西樵", "里水", "狮山", "大沥", "松岗", "和顺", "桂园", "文华",
                        "翠湖", "灯湖", "映月", "虹岭", "锦园", "石龙", "叠滘", "蟠龙",
                        "朝阳", "青云", "凤鸣", "丰华", "金鼎", "桂江", "红星", "新风",
                        "兴贤", "沙涌", "碧桂", "逢涌", "南庄", "上林", "龙山", "水南"};
constexpr int kWordCount = sizeof(kWords) / sizeof(kWords[0]);

const char* kDistrictTypes[] = {"urban_management",
                                "housing",
                                "environment",
                                "market",
                                "transport",
                                "water",
                                "education",
                                "health",
                                "hr_social",
                                "civil_affairs",
                                "police",
                                "natural_resources",
                                "emergency_mgmt",
                                "culture_tourism",
                                "agriculture",
                                "medical_insurance",
                                "tax",
                                "power",
                                "gas",
                                "water_supply",
                                "telecom",
                                "finance",
                                "development",
                                "industry",
                                "justice",
                                "veterans",
                                "housing_fund",
                                "traffic_police",
                                "fire",
                                "data_service"};
const char* kStreetTypes[] = {"street_hub",  "urban_management", "housing",       "market",
                              "environment", "civil_affairs",    "emergency_mgmt"};

std::string code(int d, int s, int c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "4499%02d%03d%03d", d, s, c);
  return buf;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: gen_config EXAMPLE_DIR OUT_DIR\n");
    return 2;
  }
  fs::path example = argv[1], out = argv[2];
  auto ex = load_deployment(example.string());
  if (!ex.ok()) {
    for (const auto& e : ex.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
  }
  fs::create_directories(out);
  std::mt19937 rng(20261124);
  const int kDistricts = 16;

  std::ofstream areas(out / "areas.yaml"), depts(out / "departments.yaml"),
      gaz(out / "gazetteer.yaml");
  areas << "areas:\n  - {code: \"449900000000\", name: 示例市, level: city}\n";
  depts << "departments:\n  - {id: pd, name: 示例市12345派单中心, type: arbitration, area: "
           "\"449900000000\"}\n";
  gaz << "roads:\n";
  std::vector<std::string> estates;
  std::vector<std::vector<std::string>> district_depts(kDistricts + 1);
  std::vector<std::pair<std::string, int>> streets, communities;  // (code, district)
  int n_depts = 1;
  for (int d = 1; d <= kDistricts; ++d) {
    areas << "  - {code: \"" << code(d, 0, 0) << "\", name: " << kWords[d % kWordCount]
          << "区, level: district, parent: \"449900000000\"}\n";
    for (const char* t : kDistrictTypes) {
      std::string id = "d" + std::to_string(d) + "-" + t;
      depts << "  - {id: " << id << ", name: " << kWords[d % kWordCount] << "区" << t
            << ", type: " << t << ", area: \"" << code(d, 0, 0) << "\"}\n";
      district_depts[d].push_back(id);
      ++n_depts;
    }
    int n_streets = 20 + static_cast<int>(rng() % 3);  // 20..22
    for (int s = 1; s <= n_streets; ++s) {
      std::string sc = code(d, s, 0);
      streets.emplace_back(sc, d);
      areas << "  - {code: \"" << sc << "\", name: " << kWords[(d * 7 + s) % kWordCount] << s
            << "街道, level: street, parent: \"" << code(d, 0, 0) << "\"}\n";
      for (const char* t : kStreetTypes) {
        depts << "  - {id: s" << d << "-" << s << "-" << t
              << ", name: " << kWords[(d * 7 + s) % kWordCount] << s << "街道" << t
              << ", type: " << t << ", area: \"" << sc << "\"}\n";
        ++n_depts;
      }
      int n_comm = 17 + static_cast<int>(rng() % 3);  // 17..19
      for (int c = 1; c <= n_comm; ++c) {
        std::string cc = code(d, s, c);
        communities.emplace_back(cc, d);
        areas << "  - {code: \"" << cc << "\", name: " << kWords[(s * 11 + c) % kWordCount] << c
              << "社区, level: community, parent: \"" << sc << "\"}\n";
        estates.push_back("  - {name: " + std::string(kWords[(d + s + c) % kWordCount]) + "花园" +
                          std::to_string(d) + "-" + std::to_string(s) + "-" + std::to_string(c) +
                          ", community: \"" + cc + "\"}\n");
      }
      for (int r = 1; r <= 2; ++r) {
        gaz << "  - name: " << kWords[(d + s) % kWordCount] << d << "-" << s << "-" << r
            << "路\n    segments:\n";
        for (int k = 0; k < 3; ++k)
          gaz << "      - {from: " << (k * 100 + 1) << ", to: " << (k * 100 + 100)
              << ", community: \"" << code(d, s, 1 + (r * 3 + k) % n_comm) << "\"}\n";
      }
    }
  }
  gaz << "estates:\n";
  for (const auto& e : estates) gaz << e;

  // Overrides: (category, area) pairs, unique, led by a department of the area's district.
  std::vector<const Category*> cats;
  for (const auto& c : ex.deployment->categories) cats.push_back(&c);
  std::ofstream routing(out / "routing.yaml");
  std::string ex_routing = slurp(example / "routing.yaml");
  routing << ex_routing.substr(0, ex_routing.find("\noverrides:")) << "\noverrides:\n";
  std::set<std::string> used;
  int n_rules = 0;
  while (n_rules < 2000) {
    bool street = rng() % 3 == 0;
    auto& [area, d] =
        street ? streets[rng() % streets.size()] : communities[rng() % communities.size()];
    const Category* c = cats[rng() % cats.size()];
    if (!used.insert(c->path + "|" + area).second) continue;
    const auto& pool = district_depts[d];
    routing << "  - {name: rule" << ++n_rules << ", category: " << c->path << ", area: \"" << area
            << "\", lead: " << pool[rng() % pool.size()] << "}\n";
  }

  fs::copy_file(example / "categories.yaml", out / "categories.yaml",
                fs::copy_options::overwrite_existing);
  fs::copy_file(example / "escalation.yaml", out / "escalation.yaml",
                fs::copy_options::overwrite_existing);
  std::ofstream(out / "deployment.yaml")
      << "name: 示例市12345（基准测试用）\nversion: \"city-gen-1\"\n"
         "arbitration: pd\n";
  std::ofstream(out / "users.yaml") << "users:\n  - {id: op1, role: operator}\n";
  std::printf("wrote %s: %d districts, %zu streets, %zu communities, %d departments, %d rules\n",
              out.c_str(), kDistricts, streets.size(), communities.size(), n_depts, n_rules);
  return 0;
}
