-- wrk script for POST /api/v1/devices/access/decide: face probes (random 512-dim vectors, so every
-- decision scans the whole gallery), each with its own event id. GATE and TOKEN come from the environment.
local gate = os.getenv("GATE")
local token = os.getenv("TOKEN")
local model = os.getenv("MODEL") or "load-512"
local counter = 0
local id = 0
local probes = {}

function setup(thread)
  thread:set("id", math.random(1, 1000000))
end

function init(args)
  id = tonumber(_G.id) or math.random(1, 1000000)
  math.randomseed(id)
  for p = 1, 16 do
    local values = {}
    for i = 1, 512 do values[i] = string.format("%.4f", math.random() * 2 - 1) end
    probes[p] = table.concat(values, ",")
  end
end

function request()
  counter = counter + 1
  local body = string.format('{"gate":"%s","method":"face","model":"%s","liveness":0.99,"vector":[%s],"eventId":"load-%d-%d","ts":%d}',
    gate, model, probes[(counter % 16) + 1], id, counter, os.time() * 1000)
  return wrk.format("POST", "/api/v1/devices/access/decide",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
