-- wrk script for the device API: every request posts telemetry for the next device token in
-- TOKENS_FILE, with a timestamp of its own (so no reading repeats another). BATCH readings per
-- request: 1 sends {"ts","values"}, more sends an array of them.
local tokens = {}
local batch = tonumber(os.getenv("BATCH") or "1")
local threads = {}
local counter = 0
local thread_id = 0
local base = tonumber(os.getenv("TS_BASE") or "1790000000000")

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("TOKENS_FILE")) do table.insert(tokens, line) end
  thread_id = tonumber(id) or 0
end

function request()
  counter = counter + 1
  local token = tokens[((counter * 7 + thread_id) % #tokens) + 1]
  -- 20,000,000 ms (5.5 h) apart per thread so threads never share a timestamp.
  local ts = base + thread_id * 20000000 + counter * batch
  local body
  if batch == 1 then
    body = string.format('{"ts":%d,"values":{"value":%d}}', ts, counter % 100)
  else
    local items = {}
    for i = 0, batch - 1 do
      items[#items + 1] = string.format('{"ts":%d,"values":{"value":%d}}', ts + i, (counter + i) % 100)
    end
    body = "[" .. table.concat(items, ",") .. "]"
  end
  return wrk.format("POST", "/api/v1/" .. token .. "/telemetry", {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("readings/s: %.0f (batch %d, %d non-2xx, %d socket errors)\n",
    (summary.requests - non2xx) / (summary.duration / 1e6) * batch, batch, non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
