// Area placement and routing on the example district (config/example).
#include "dispatcher/core/routing.hpp"

#include <catch2/catch.hpp>
#include <set>

#include "dispatcher/config/config_load.hpp"

using namespace huying::core;

namespace {

const Deployment& example() {
  static std::shared_ptr<const Deployment> d = [] {
    auto res = load_deployment(std::string(HUYING_SOURCE_DIR) + "/config/example");
    for (const auto& e : res.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(res.ok());
    return res.deployment;
  }();
  return *d;
}

const Router& router() {
  static Router r(example());
  return r;
}

}  // namespace

TEST_CASE("the example district passes validation and has the promised size") {
  const auto& d = example();
  int streets = 0, communities = 0, leaves = 0;
  for (const auto& a : d.areas) {
    streets += a.level == AreaLevel::street;
    communities += a.level == AreaLevel::community;
  }
  for (const auto& c : d.categories) leaves += c.leaf;
  CHECK(streets == 15);
  CHECK(communities == 90);
  CHECK(d.departments.size() >= 30 + 15);
  CHECK(leaves >= 60);
  CHECK(d.roads.size() + d.places.size() >= 300);
  std::set<Role> roles;
  for (const auto& u : d.users) roles.insert(u.role);
  for (Role r : {Role::operator_, Role::dispatcher, Role::clerk, Role::coordinator, Role::leader,
                 Role::admin})
    CHECK(roles.count(r) == 1);
}

TEST_CASE("placement: code, estate, landmark, road + number, name, alias, polygon, no match") {
  const AreaTree& t = router().areas();
  struct Case {
    std::string code, address;
    std::optional<double> lat, lng;
    std::string area, by;
    bool review;
  };
  std::vector<Case> cases = {
      {"440699001004", "", {}, {}, "440699001004", "code", false},
      {"440699001000", "", {}, {}, "440699001000", "code", true},  // street only: check it
      {"", "翠湖公馆3座1202", {}, {}, "440699002001", "estate", false},
      {"", "西樵山景区南门停车场", {}, {}, "440699010006", "landmark", false},
      {"", "桂澜路88号首层", {}, {}, "440699001004", "road", false},
      {"", "桂澜路 120 号", {}, {}, "440699001001", "road", false},
      {"", "灯湖街20号", {}, {}, "440699001003", "road", false},  // not 灯湖社区 in 东湖
      {"", "季华大道200号", {}, {}, "440699002004", "road", false},
      {"", "桂澜路900号", {}, {}, "440699001000", "road", true},  // number out of range: street,
                                                                  // flagged
      {"", "凤鸣社区文化室旁", {}, {}, "440699003005", "name", false},
      {"", "民乐村委会对面", {}, {}, "440699008004", "name", false},
      {"", "九江那边一个菜市场", {}, {}, "440699008000", "alias", true},
      {"", "", 23.03, 113.15, "440699001001", "polygon", false},
      {"", "", 23.05, 113.19, "440699001006", "polygon", false},
      {"", "", 23.03, 113.23, "440699002000", "polygon", true},  // street polygon only
      {"", "火星路1号", {}, {}, "440699000000", "none", true},
      {"999999999999", "", {}, {}, "440699000000", "none", true},  // unknown code, nothing else
  };
  for (const auto& c : cases) {
    INFO(c.code << " " << c.address << " " << c.lat.value_or(0) << "," << c.lng.value_or(0));
    auto p = t.place(c.code, c.address, c.lat, c.lng);
    CHECK(p.area == c.area);
    CHECK(p.matched_by == c.by);
    CHECK(p.needs_review == c.review);
  }
}

TEST_CASE("point in polygon: inside, outside, on a concave ring") {
  std::vector<std::pair<double, double>> l = {{0, 0}, {4, 0}, {4, 1}, {1, 1},
                                              {1, 4}, {0, 4}, {0, 0}};
  CHECK(point_in_polygon(0.5, 0.5, l));
  CHECK(point_in_polygon(0.5, 3.5, l));
  CHECK(point_in_polygon(3.5, 0.5, l));
  CHECK_FALSE(point_in_polygon(3, 3, l));  // in the L's notch
  CHECK_FALSE(point_in_polygon(-1, 0.5, l));
}

TEST_CASE("routing: 52 realistic requests reach the right department for the right reason") {
  struct Row {
    const char* kind;
    const char* text;
    const char* address;
    const char* category;
    const char* lead;  // department id, or the line for a transfer
    const char* rule;
    std::vector<std::string> assist = {};
  };
  // clang-format off
  std::vector<Row> rows = {
    {"complaint", "楼下夜市摊贩占道经营，晚上十点后还在", "桂澜路88号", "城市管理/市容环境/占道经营", "cg-gy", "local:urban_management"},
    {"complaint", "小区门口有人乱摆卖水果", "翠湖公馆", "城市管理/市容环境/乱摆卖", "cg-dh", "local:urban_management"},
    {"report", "电线杆上贴满小广告", "凤鸣社区", "城市管理/市容环境/乱张贴", "cg-xs", "local:urban_management"},
    {"complaint", "垃圾三天没人清运，臭味很大", "民乐村委会旁", "城市管理/市容环境/垃圾清运", "cg-jj", "local:urban_management"},
    {"help", "路灯坏了一整条街都是黑的", "季华大道200号", "城市管理/市政设施/路灯不亮", "cg-dh", "local:urban_management"},
    {"help", "人行道井盖缺失，很危险", "灯湖街20号", "城市管理/市政设施/井盖缺失", "cg-gy", "local:urban_management"},
    {"report", "邻居在楼顶违章加建铁皮房", "南约花园", "城市管理/违法建设/楼顶加建", "zj", "override:违法建设由区住建局主办", {"zrzy"}},
    {"report", "村口空地有人违章搭建厂房", "盐步村", "城市管理/违法建设/违章搭建", "zj", "override:违法建设由区住建局主办", {"zrzy"}},
    {"complaint", "景区门口摊贩占道兜售", "西樵山景区", "城市管理/市容环境/占道经营", "wglt", "override:西樵山景区市容", {"cg-xq"}},
    {"complaint", "码头出口被流动摊档堵住", "南港码头", "城市管理/市容环境/占道经营", "jt", "override:南港码头占道", {"cg-ng"}},
    {"complaint", "工地凌晨两点还在打桩施工", "桂澜路120号", "生态环境/噪声污染/施工噪声", "sthj", "local:environment"},
    {"complaint", "工厂排气管一直冒刺鼻废气", "狮山那边的工业园", "生态环境/大气污染/工业废气", "sthj", "local:environment"},
    {"complaint", "楼下餐馆油烟直排到我家窗口", "夏西花园", "生态环境/大气污染/油烟污染", "sthj", "local:environment"},
    {"report", "河涌发黑发臭，有人偷排污水", "叠滘社区", "生态环境/水污染/污水直排", "sthj", "local:environment"},
    {"complaint", "广场舞音响太大声影响休息", "虹岭花园", "生态环境/噪声污染/社会生活噪声", "ga", "local:police"},
    {"complaint", "千灯湖边夜宵档深夜喧哗", "千灯湖公园", "生态环境/噪声污染/社会生活噪声", "ga", "override:千灯湖片区夜间噪声", {"cg-gy"}},
    {"complaint", "物业不作为，电梯坏了一周没修", "灯湖名都", "住房建设/物业管理/电梯故障", "jsb-dh", "local:housing"},
    {"help", "想了解维修资金怎么申请使用", "海五新村", "住房建设/物业管理/维修资金", "jsb-gy", "local:housing"},
    {"help", "老房子墙体开裂，担心倒塌", "金鼎雅苑", "住房建设/房屋安全/危房隐患", "jsb-ng", "local:housing"},
    {"complaint", "工地晚上十一点还在施工", "官窑水岸", "住房建设/建筑工地/夜间施工", "jsb-lj", "local:housing", {"sthj"}},
    {"suggestion", "建议增加一条到地铁站的公交线路", "映月华庭", "交通出行/公共交通/公交线路", "jt", "local:transport"},
    {"complaint", "出租车司机拒载绕路", "东湖汽车站", "交通出行/公共交通/出租车服务", "jt", "local:transport"},
    {"complaint", "小区门口长期有车违章停车堵路", "桂江花园", "交通出行/交通秩序/违章停车", "jj", "local:traffic_police"},
    {"help", "路面塌陷出现大坑", "天佑路100号", "交通出行/道路设施/道路破损", "jt", "local:transport"},
    {"complaint", "餐馆后厨卫生很差有老鼠", "大沥商贸城", "市场监管/食品安全/餐饮卫生", "scjg", "local:market"},
    {"complaint", "健身房关门跑路，预付卡退不了钱", "金沙湾广场", "市场监管/消费维权/预付卡退费", "scjg", "local:market"},
    {"report", "有人无证经营小作坊", "松岗市场", "市场监管/经营秩序/无证经营", "scjg", "local:market"},
    {"help", "家里停水一天了也没通知", "锦园花园", "水电燃气/供水/停水", "gs", "local:water_supply"},
    {"help", "整栋楼停电了", "南约家园", "水电燃气/供电/停电", "gd", "local:power"},
    {"consult", "燃气开户需要什么材料", "平西小区", "水电燃气/燃气/燃气报装", "rq", "local:gas"},
    {"help", "下雨后路口积水过膝", "桂澜路30号", "水电燃气/排水/内涝积水", "sw", "local:water", {"cg-gy"}},
    {"consult", "孩子明年上小学学位怎么申请", "映月公馆", "教育/学校管理/学位申请", "jy", "local:education"},
    {"consult", "大学城这边的学位怎么分配", "狮山大学城", "教育/学校管理/学位申请", "jy", "override:大学城学位咨询"},
    {"report", "校外培训机构违规收费", "朝阳社区", "教育/学校管理/校外培训", "jy", "local:education"},
    {"complaint", "医院挂号排队太久态度差", "示例区人民医院", "卫生健康/医疗服务/就医服务", "wj", "local:health"},
    {"consult", "九价疫苗在哪里可以预约", "示例区妇幼保健院", "卫生健康/医疗服务/疫苗接种", "wj", "local:health"},
    {"help", "老板拖欠三个月工资不发", "龙江家具城", "劳动社保/劳动保障/欠薪", "rs", "local:hr_social"},
    {"consult", "社保断缴了怎么补缴", "碧桂社区", "劳动社保/社会保险/社保缴纳", "rs", "local:hr_social"},
    {"help", "家里老人想申请低保", "大岸社区", "民政服务/社会救助/低保救助", "mz", "local:civil_affairs"},
    {"consult", "婚姻登记需要预约吗", "示例区政务服务中心", "民政服务/婚姻登记/婚姻登记", "mz", "local:civil_affairs"},
    {"consult", "居住证怎么办理", "岭南社区", "社会治安/户政/居住证", "ga", "local:police"},
    {"report", "村里有人占用农田建房", "良溪村", "自然资源/土地管理/违法用地", "zrzy", "local:natural_resources"},
    {"help", "村里宅基地审批很慢", "塘头村", "农业农村/农村管理/宅基地", "nync", "local:agriculture"},
    {"report", "家具城消防通道被货物堵死", "龙江家具城", "安全生产/安全隐患/企业安全生产", "xfjy", "override:龙江家具城消防通道", {"yj"}},
    {"report", "工厂安全生产隐患，工人没有防护", "盘古社区", "安全生产/安全隐患/企业安全生产", "yj", "local:emergency_mgmt"},
    {"consult", "医保异地报销需要哪些材料", "恒福社区", "医疗保障/医保/医保报销", "yb", "local:medical_insurance"},
    {"consult", "公积金提取租房怎么办", "河清社区", "住房公积金/公积金/公积金提取", "gjj", "local:housing_fund"},
    {"suggestion", "建议政务大厅延长周末办事时间", "示例区政务服务中心", "政务服务/办事咨询/营商环境建议", "sj", "local:data_service"},
    {"complaint", "不知道该找哪个部门的问题", "林岳社区", "其他/无法分类", "hub-hs", "fallback:street_hub"},
    {"complaint", "说不清在哪里的问题", "火星路1号", "其他/无法分类", "pd", "fallback:arbitration"},
    {"help", "隔壁厨房着火了，冒浓烟", "南约花园", "城市管理/市容环境/垃圾清运", "119", "emergency:119"},
    {"help", "楼道里闻到煤气味很浓", "灯湖名都", "水电燃气/燃气/燃气服务", "119", "emergency:119"},
    {"complaint", "有人在楼下打架，还拿着刀", "桂江花园", "社会治安/治安管理/治安隐患", "110", "emergency:110"},
    {"help", "老人在公园晕倒了", "千灯湖公园", "卫生健康/医疗服务/就医服务", "120", "emergency:120"},
    {"help", "Someone is injured after a car crash on the bridge", "季华大道10号", "交通出行/道路设施/道路破损", "120", "emergency:120"},  // injured: 120 is listed first
  };
  // clang-format on
  REQUIRE(rows.size() >= 50);
  std::set<std::string> kinds;
  for (const auto& r : rows) {
    INFO(r.text << " @ " << r.address);
    auto kind = parse<Kind>(r.kind);
    REQUIRE(kind);
    kinds.insert(r.kind);
    auto p = router().areas().place("", r.address, {}, {});
    Route route = router().route({*kind, Urgency::normal, r.category, p.area, r.text});
    CHECK(route.config_version == "2026.11-1");
    REQUIRE_FALSE(route.reason.empty());
    if (std::string(r.rule).rfind("emergency:", 0) == 0) {
      // A cue is a proposal beside the route: the operator confirms the transfer.
      REQUIRE(route.cue.has_value());
      CHECK(route.cue->line == r.lead);
      CHECK_FALSE(route.cue->words.empty());
      CHECK(route.transfer_line == r.lead);
      CHECK_FALSE(route.lead.empty());
      CHECK(route.reason.find(r.lead) != std::string::npos);
    } else {
      CHECK(route.rule == r.rule);
      CHECK_FALSE(route.cue.has_value());
      CHECK(route.lead == r.lead);
      CHECK(route.assist == r.assist);
      const Department* dep = router().dept(route.lead);
      REQUIRE(dep);
      // The reason names the department that was chosen.
      CHECK(route.reason.find(dep->name) != std::string::npos);
    }
  }
  CHECK(kinds.size() == 5);
}

TEST_CASE("routing: deterministic, and most specific override wins over 属地") {
  RouteInput in{Kind::complaint, Urgency::normal, "生态环境/噪声污染/社会生活噪声", "440699001003",
                "夜宵档喧哗"};
  Route a = router().route(in);
  for (int i = 0; i < 100; ++i) {
    Route b = router().route(in);
    CHECK(b.lead == a.lead);
    CHECK(b.reason == a.reason);
  }
  CHECK(a.rule == "override:千灯湖片区夜间噪声");
  CHECK(a.matched_level == AreaLevel::community);
  // The neighbouring community has no override: 属地 picks the district police.
  in.area = "440699001004";
  Route c = router().route(in);
  CHECK(c.rule == "local:police");
  CHECK(c.matched_level == AreaLevel::district);
  // A street-level unit is found before the district one.
  in.category = "城市管理/市容环境/占道经营";
  Route s = router().route(in);
  CHECK(s.lead == "cg-gy");
  CHECK(s.matched_level == AreaLevel::street);
  CHECK(s.matched_area == "440699001000");
}
