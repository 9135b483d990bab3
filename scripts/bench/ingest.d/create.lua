-- wrk script for scripts/bench/ingest: POST /api/v1/orders with a unique
-- Idempotency-Key per request and realistic bodies (a few callers, places
-- and matters of the example district). TOKEN and RUN come from the
-- environment; each wrk thread numbers its own keys.
local token = os.getenv("TOKEN")
local run = os.getenv("RUN") or "0"
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local bodies = {
  '{"kind":"complaint","category":"城市管理/市容环境/占道经营","address":"桂园街道文华社区红岭路12号","description":"门口有人占道经营，堵住通道，已经持续一周","citizen":{"name":"张先生","phone":"13800001111"}}',
  '{"kind":"help","category":"住房建设/物业管理/电梯故障","address":"桂园街道海五社区","description":"小区电梯坏了三天没人修，老人上下楼困难","citizen":{"name":"李女士","phone":"13800002222"}}',
  '{"kind":"complaint","category":"生态环境/噪声污染/施工噪声","address":"东湖街道","description":"晚上十点后工地还在施工，严重扰民","citizen":{"name":"王先生","phone":"13800003333"}}',
  '{"kind":"suggestion","category":"交通出行/公共交通/公交线路","address":"桂园街道东约社区","description":"建议增加早高峰公交班次","citizen":{"name":"赵女士","phone":"13800004444"}}',
}

local n = 0
function request()
  n = n + 1
  local body = bodies[(n % #bodies) + 1]
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = "bench-" .. run .. "-" .. tid .. "-" .. n,
  }
  return wrk.format("POST", "/api/v1/orders", headers, body)
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
