// Emergency cues are proposals for the operator: the matched words and the
// line; negated, hypothetical and past mentions raise none.
#include <catch2/catch.hpp>

#include "dispatcher/config/config_load.hpp"
#include "dispatcher/core/routing.hpp"

using namespace huying::core;

namespace {
const Router& router() {
  static std::shared_ptr<const Deployment> d = [] {
    auto res = load_deployment(std::string(HUYING_SOURCE_DIR) + "/config/example");
    REQUIRE(res.ok());
    return res.deployment;
  }();
  static Router r(*d);
  return r;
}
}  // namespace

TEST_CASE("emergency cues: a table of 37 call texts") {
  struct Row {
    const char* text;
    const char* line;  // "" = no cue
    std::vector<std::string> words;
  };
  // clang-format off
  std::vector<Row> rows = {
      // Raised: the operator is shown the words and the line.
      {"隔壁厨房着火了，冒浓烟", "119", {"着火", "冒浓烟"}},
      {"楼道里闻到煤气味很浓", "119", {"闻到煤气味"}},
      {"有人在楼下打架，还拿着刀", "110", {"打架"}},
      {"老人在公园晕倒了", "120", {"晕倒"}},
      {"Someone is injured after a car crash on the bridge", "120", {"injured"}},  // 120 is listed before 122
      {"小区门口发生车祸，有人受伤流血", "120", {"受伤流血"}},
      {"路口两车相撞，交通事故堵住了", "122", {"交通事故"}},
      {"家里天然气泄漏了，味道很浓", "119", {"天然气泄漏"}},
      {"我不知道是不是燃气泄漏，味道很大", "119", {"燃气泄漏"}},  // a question, not a denial
      {"有没有人管？楼下有人持刀威胁", "110", {"持刀"}},
      {"昨天着火了，现在还在冒浓烟", "119", {"着火", "冒浓烟"}},  // past, but still going on
      {"老公家暴，我现在很害怕", "110", {"家暴"}},
      {"孩子溺水了快来人", "120", {"溺水"}},
      {"他突然昏迷了，叫不醒", "120", {"昏迷"}},
      {"工地起火了", "119", {"起火"}},
      {"There is a FIGHT outside the bar", "110", {"FIGHT"}},
      {"I smell gas in the stairwell", "119", {"smell gas"}},
      {"刚刚有人抢劫，往东跑了", "110", {"抢劫"}},
      {"昨天开始一直闻到燃气味，越来越浓", "119", {"闻到燃气味"}},  // started in the past, still going on
      // Not raised: negated, hypothetical or past.
      {"不是燃气泄漏，是下水道臭味", "", {}},
      {"没有着火，只是烧烤油烟大", "", {}},
      {"昨天在医院排队，我母亲晕倒后护士很久才来", "", {}},
      {"上个月小区发生过火灾，至今消防通道没有整改", "", {}},
      {"去年这里出过车祸，路口需要加装红绿灯", "", {}},
      {"之前有人在这里打架，希望加强巡逻", "", {}},
      {"投诉物业消防通道被堵，万一着火怎么办", "", {}},
      {"担心燃气泄漏，请燃气公司来检查管道", "", {}},
      {"并非火灾，是邻居在烧纸", "", {}},
      {"没人打架，只是吵架声音大", "", {}},
      {"排除了燃气泄漏的可能", "", {}},
      {"前几天车祸的赔偿问题一直没解决", "", {}},
      {"It was not a fight, just loud music", "", {}},
      {"Yesterday someone was injured at the gym and nobody helped", "", {}},
      {"楼下烧烤摊油烟很大", "", {}},
      {"建议加强防火宣传", "", {}},
      {"以防火灾，请清理楼道杂物", "", {}},
      {"当时他晕倒了，救护车半小时才到，要投诉", "", {}},
  };
  // clang-format on
  REQUIRE(rows.size() >= 30);
  int raised = 0, quiet = 0;
  for (const auto& r : rows) {
    INFO(r.text);
    auto c = router().cue(r.text);
    if (std::string(r.line).empty()) {
      CHECK_FALSE(c.has_value());
      ++quiet;
    } else {
      REQUIRE(c.has_value());
      CHECK(c->line == r.line);
      CHECK(c->words == r.words);
      ++raised;
    }
  }
  CHECK(raised >= 15);
  CHECK(quiet >= 15);
}

TEST_CASE("emergency cues: the route beside a cue is the ordinary one") {
  RouteInput in{Kind::help, Urgency::normal, "城市管理/市容环境/垃圾清运", "440699001004",
                "隔壁厨房着火了"};
  Route r = router().route(in);
  REQUIRE(r.cue.has_value());
  CHECK(r.transfer_line == "119");
  CHECK(r.rule.rfind("local:", 0) == 0);
  CHECK_FALSE(r.lead.empty());
  CHECK(r.reason.find("着火") != std::string::npos);
  CHECK(r.reason.find("119") != std::string::npos);
  in.text = "没有着火";
  Route q = router().route(in);
  CHECK_FALSE(q.cue.has_value());
  CHECK(q.transfer_line.empty());
  CHECK(q.rule == r.rule);
}
