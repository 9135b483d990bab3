// Placement with confidence on the example district: only a confident
// placement may be dispatched without a person; shop, bank, mall and hotel
// names that contain an alias are weak; places in different streets are
// ambiguous; another city is outside.
#include <catch2/catch.hpp>

#include "dispatcher/config/config_load.hpp"
#include "dispatcher/core/jurisdiction.hpp"
#include "dispatcher/core/phrase_matcher.hpp"

using namespace huying::core;

namespace {

const AreaTree& tree() {
  static std::shared_ptr<const Deployment> d = [] {
    auto res = load_deployment(std::string(HUYING_SOURCE_DIR) + "/config/example");
    REQUIRE(res.ok());
    return res.deployment;
  }();
  static AreaTree t(*d);
  return t;
}

constexpr const char* kDistrict = "440699000000";

}  // namespace

TEST_CASE("phrase matcher: every occurrence of every phrase, overlapping ones too") {
  PhraseMatcher m;
  m.add("华夏", 1);
  m.add("华夏银行", 2);
  m.add("银行", 3);
  m.add("夏", 4);
  m.add("", 5);  // ignored
  m.build();
  auto hits = m.find_all("华夏银行门口的华夏");
  std::vector<std::tuple<std::size_t, std::size_t, std::uint32_t>> got;
  for (const auto& h : hits) got.emplace_back(h.begin, h.end, h.id);
  using T = std::tuple<std::size_t, std::size_t, std::uint32_t>;
  CHECK(got == std::vector<T>{T{0, 12, 2}, T{0, 6, 1}, T{3, 6, 4}, T{6, 12, 3}, T{21, 27, 1},
                              T{24, 27, 4}});
  CHECK(m.find_all("").empty());
  CHECK(m.find_all("abc").empty());
  CHECK(m.phrases() == 4);
}

TEST_CASE("placement: a table of 57 addresses with their confidence") {
  struct Row {
    const char* code;
    const char* address;
    Confidence confidence;
    const char* area;  // expected placed area
    const char* by;    // expected matched_by
  };
  using C = Confidence;
  // clang-format off
  std::vector<Row> rows = {
      // Confident: one community, strong evidence, nothing against it.
      {"", "翠湖公馆3座1202", C::confident, "440699002001", "estate"},
      {"", "桂澜路88号首层", C::confident, "440699001004", "road"},
      {"", "桂澜路 120 号", C::confident, "440699001001", "road"},
      {"", "灯湖街20号", C::confident, "440699001003", "road"},  // not 灯湖社区 in 东湖
      {"", "天佑路160号二楼", C::confident, "440699002006", "road"},
      {"", "凤鸣社区文化室旁", C::confident, "440699003005", "name"},
      {"", "民乐村委会对面", C::confident, "440699008004", "name"},
      {"", "华夏村委会门口", C::confident, "440699011004", "name"},
      {"", "住在华夏，楼下大排档很吵", C::confident, "440699011004", "alias"},
      {"", "朝阳那边的垃圾站", C::confident, "440699003003", "alias"},
      {"", "吉利公馆5栋", C::confident, "440699011002", "estate"},
      {"", "红星豪庭2栋楼下", C::confident, "440699004003", "estate"},
      {"", "示例区第一中学门口", C::confident, "440699001004", "landmark"},
      {"", "千灯湖公园东门", C::confident, "440699001003", "landmark"},
      {"", "西樵山景区南门停车场", C::confident, "440699010006", "landmark"},
      {"", "广东省佛山市示例区桂澜路88号", C::confident, "440699001004", "road"},
      {"", "佛山市示例区文华社区居委会", C::confident, "440699001001", "name"},
      {"", "桂澜路文华华庭", C::confident, "440699001001", "estate"},  // road (its street) agrees
      // Weak: an alias inside a shop's, bank's, mall's or hotel's name.
      {"", "华夏银行门口", C::weak, kDistrict, "alias"},
      {"", "太平洋百货三楼", C::weak, kDistrict, "alias"},
      {"", "吉利汽车4S店", C::weak, kDistrict, "alias"},
      {"", "明珠大酒店大堂", C::weak, kDistrict, "alias"},
      {"", "红星美凯龙家居广场", C::weak, kDistrict, "alias"},
      {"", "朝阳市场门口", C::weak, kDistrict, "alias"},
      {"", "五星级酒店后面", C::weak, kDistrict, "alias"},
      {"", "新华夏广场", C::weak, kDistrict, "alias"},
      {"", "金沙江大酒店", C::weak, kDistrict, "alias"},
      {"", "永安保险公司楼下", C::weak, kDistrict, "alias"},
      // Weak: the street is known, the community is not.
      {"", "桂澜路900号", C::weak, "440699001000", "road"},  // no segment has 900
      {"", "桂澜路", C::weak, "440699001000", "road"},
      {"", "九江那边一个菜市场", C::weak, "440699008000", "alias"},
      {"", "桂园街道办事处", C::weak, "440699001000", "name"},
      {"", "文华社区和海五社区交界处", C::weak, "440699001000", "name"},
      // Ambiguous: strong evidence for different streets.
      {"", "文华华庭对面的红星豪庭", C::ambiguous, kDistrict, "estate"},
      {"", "翠湖公馆和吉利公馆之间", C::ambiguous, kDistrict, "estate"},
      {"", "桂澜路88号旁边的翠湖公馆", C::ambiguous, kDistrict, "road"},
      {"", "从华夏村到明珠村的路上", C::ambiguous, kDistrict, "name"},
      {"", "石龙华庭旁边的文华雅苑", C::ambiguous, kDistrict, "estate"},
      {"", "不记得是南约花园还是翠湖华庭", C::ambiguous, kDistrict, "estate"},
      // Unknown: nothing of ours matched (and no district default).
      {"", "火星路1号", C::unknown, kDistrict, "none"},
      {"", "不知道具体地址", C::unknown, kDistrict, "none"},
      {"", "小区门口", C::unknown, kDistrict, "none"},
      {"", "华润超市北门", C::unknown, kDistrict, "none"},
      {"", "人民医院急诊科", C::unknown, kDistrict, "none"},
      // Outside: another province, city or district.
      {"", "广州市天河区体育西路123号", C::outside, kDistrict, "outside"},
      {"", "广东省深圳市南山区科技园", C::outside, kDistrict, "outside"},
      {"", "佛山市顺德区大良街道", C::outside, kDistrict, "outside"},
      {"", "北京市朝阳区建国路88号", C::outside, kDistrict, "outside"},  // 朝阳 is ours too
      {"", "天河区珠江新城", C::outside, kDistrict, "outside"},
      {"", "湖南省长沙市", C::outside, kDistrict, "outside"},
      {"", "上海市浦东新区陆家嘴", C::outside, kDistrict, "outside"},
      // Codes: a community decides; a street is a hint the address may refine.
      {"440699001004", "", C::confident, "440699001004", "code"},
      {"440699001000", "", C::weak, "440699001000", "code"},
      {"440699001000", "文华华庭", C::confident, "440699001001", "estate"},
      {"440699002000", "文华华庭", C::weak, "440699002000", "code"},  // the address is in another street
      {"999999999999", "", C::unknown, kDistrict, "none"},
      {"440699000000", "", C::unknown, kDistrict, "none"},
  };
  // clang-format on
  REQUIRE(rows.size() >= 40);
  int by_confidence[5] = {};
  for (const auto& r : rows) {
    INFO(r.code << " " << r.address);
    Placement p = tree().place(r.code, r.address, {}, {});
    for (const auto& e : p.evidence)
      UNSCOPED_INFO(e.kind << " " << e.text << " -> " << e.area << (e.strong ? "" : " weak: ")
                           << e.note);
    CHECK(name(p.confidence) == name(r.confidence));
    CHECK(p.area == r.area);
    CHECK(p.matched_by == r.by);
    // Only a confident placement may go out without the desk looking at it.
    CHECK(p.needs_review == (r.confidence != C::confident));
    // The desk sees why: evidence for everything but an empty match, and candidates
    // for everything placed by the address.
    if (p.confidence != C::unknown) CHECK_FALSE(p.evidence.empty());
    if (p.confidence == C::ambiguous) CHECK(p.candidates.size() >= 2);
    ++by_confidence[static_cast<int>(r.confidence)];
  }
  for (int n : by_confidence) CHECK(n >= 5);
}

TEST_CASE("placement: evidence says what matched, and why it is weak") {
  Placement p = tree().place("", "华夏银行门口", {}, {});
  REQUIRE(p.evidence.size() == 1);
  CHECK(p.evidence[0].text == "华夏");
  CHECK(p.evidence[0].kind == "alias");
  CHECK(p.evidence[0].area == "440699011004");
  CHECK_FALSE(p.evidence[0].strong);
  CHECK(p.evidence[0].note.find("华夏银行") != std::string::npos);
  REQUIRE(p.candidates.size() == 1);
  CHECK(p.candidates[0].area == "440699011004");

  // Ranked candidates: the community with more evidence first.
  Placement q = tree().place("", "文华华庭对面的红星豪庭，红星社区", {}, {});
  CHECK(q.confidence == Confidence::ambiguous);
  REQUIRE(q.candidates.size() == 2);
  CHECK(q.candidates[0].area == "440699004003");
  CHECK(q.candidates[1].area == "440699001001");
  CHECK(q.candidates[0].score > q.candidates[1].score);

  Placement o = tree().place("", "广州市天河区体育西路123号", {}, {});
  REQUIRE_FALSE(o.evidence.empty());
  CHECK(o.evidence[0].text == "广州市天河区");
}

TEST_CASE("placement: points inside community and street polygons") {
  CHECK(tree().place("", "", 23.03, 113.15).confidence == Confidence::confident);
  CHECK(tree().place("", "", 23.03, 113.15).area == "440699001001");
  auto street = tree().place("", "", 23.03, 113.23);
  CHECK(street.confidence == Confidence::weak);
  CHECK(street.area == "440699002000");
  CHECK(tree().place("", "", 0.0, 0.0).confidence == Confidence::unknown);
}
