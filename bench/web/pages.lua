-- wrk script for one page: signed-in cookies, CSRF-protected POSTs, a status check.
-- Usage: wrk ... -s pages.lua URL -- CONFIG.lua, where CONFIG.lua returns a table made by
-- bench/web/load.py:
--   kind      "get", "share" or "support"
--   paths     the paths to request (one is picked at random per request when several)
--   clients   { {cookie=..., body=...} or {token=...}, ... }: taken in turn, request by
--             request; a client with a token sends it as a bearer token, no cookies
--   origin    the Origin header of POSTs (Django checks it on https requests)
--   expect    the status every answer must have
--   location  for redirects: a text the Location header must contain
local cfg
local n = 0
unexpected = 0
first_unexpected = ""

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("id", thread_count)
  table.insert(threads, thread)
end

function init(args)
  cfg = dofile(args[1])
  math.randomseed(os.time() * 1000 + (id or 0))
end

local r = math.random

local function uuid4()
  return string.format("%04x%04x-%04x-4%03x-%04x-%04x%04x%04x",
    r(0, 0xffff), r(0, 0xffff), r(0, 0xffff), r(0, 0xfff),
    r(0x8000, 0xbfff), r(0, 0xffff), r(0, 0xffff), r(0, 0xffff))
end

function request()
  n = n + 1
  local client = cfg.clients[(n % #cfg.clients) + 1]
  local path = cfg.paths[r(1, #cfg.paths)]
  local headers = { ["X-Forwarded-Proto"] = "https" }
  if client.token then
    headers["Authorization"] = "Bearer " .. client.token
  else
    headers["Cookie"] = client.cookie
  end
  if cfg.kind == "get" then
    return wrk.format("GET", path, headers)
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Origin"] = cfg.origin
  local body
  if cfg.kind == "share" then
    -- A new submission id each time: the same id would return the first idea unchanged.
    body = client.body .. "&submission_id=" .. uuid4()
  else
    -- Half supports, half withdrawals: both paths of the support button.
    body = client.body .. (r() < 0.5 and "&action=support" or "&action=withdraw")
  end
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  local ok = status == cfg.expect
  if ok and cfg.location then
    local location = headers["Location"] or headers["location"] or ""
    ok = string.find(location, cfg.location, 1, true) ~= nil
  end
  if not ok then
    unexpected = unexpected + 1
    if first_unexpected == "" then
      first_unexpected = status .. " " .. (headers["Location"] or "") .. " " .. (body or ""):sub(1, 200)
    end
  end
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
  local bad, first = 0, ""
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    if first == "" then first = thread:get("first_unexpected") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"unexpected": %d, "first_unexpected": %s, "latency_us": {"mean": %.1f, '
      .. '"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, bad, json_string(first),
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
end
