// libFuzzer target: the API's request decoding and command arguments.
// The input's first byte picks a command; the rest is used three ways: as a
// request target (path and query decoding), as a form body, and as the JSON
// body of that command, which goes through the unknown-field check and the
// domain's decide() against an order in a state the command may start from.
// Nothing here may crash, hang or trip a sanitizer.
//
//   scripts/fuzz [SECONDS]   (builds with clang into build-fuzz/)
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dispatcher/core/access.hpp"
#include "dispatcher/core/command_args.hpp"
#include "dispatcher/core/lifecycle.hpp"
#include "dispatcher/core/sla_policy.hpp"
#include "dispatcher/server/http_types.hpp"

using namespace huying;

namespace {

core::WorkOrder order_in(core::Status s) {
  core::WorkOrder o;
  o.id = 7;
  o.number = "HY20261128000007";
  o.kind = core::Kind::complaint;
  o.category = "城市管理/市容环境/占道经营";
  o.area = "440699001001";
  o.status = s;
  o.created_at = 1795869600000;
  o.version = 3;
  if (s != core::Status::received)
    o.depts = {{"cg", core::DeptRole::lead}, {"zj", core::DeptRole::assist}};
  o.citizen = {"张三", "13800001111", ""};
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& names = core::EnumNames<core::CommandType>::names;
  const auto type = static_cast<core::CommandType>(data[0] % names.size());
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  // Request decoding.
  server::HttpRequest req;
  std::string target = "/" + std::string(text);
  (void)server::decode_target(target, req);
  std::vector<std::pair<std::string, std::string>> form;
  (void)server::decode_form(text, form);
  (void)server::valid_utf8(text);

  // The command's JSON body.
  boost::json::error_code ec;
  boost::json::parse_options opt;
  opt.max_depth = 32;
  boost::json::value v = boost::json::parse(text, ec, {}, opt);
  if (ec || !v.is_object()) return 0;
  auto& args = v.get_object();
  if (core::unknown_field(type, args)) return 0;  // the API stops here

  static const core::NaturalSlaPolicy sla;
  core::DecideContext ctx;
  ctx.now = 1795869700000;
  ctx.sla = &sla;
  ctx.allocate = [] { return std::pair<std::int64_t, std::string>{8, "HY20261128000008"}; };
  static const core::Actor actors[] = {{"op1", core::Role::operator_, "", ""},
                                       {"disp1", core::Role::dispatcher, "", ""},
                                       {"clerk", core::Role::clerk, "cg", ""},
                                       {"coord", core::Role::coordinator, "hub", "440699001000"},
                                       {"leader", core::Role::leader, "", ""}};
  for (const auto& actor : actors) {
    if (!core::role_may(actor.role, type)) continue;
    for (auto s : {core::Status::received, core::Status::dispatched, core::Status::claimed,
                   core::Status::replied, core::Status::visited, core::Status::returned,
                   core::Status::transferred_out}) {
      core::WorkOrder o = order_in(s);
      if (type != core::CommandType::create && !core::state_allows(s, type)) continue;
      core::Command cmd{type, args};
      auto d = core::decide(type == core::CommandType::create ? nullptr : &o, cmd, actor, ctx);
      if (d.ok())
        for (const auto& e : d.events) core::apply(o, e);
      if (type == core::CommandType::create) break;
    }
  }
  return 0;
}
