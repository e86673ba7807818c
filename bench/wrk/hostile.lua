-- POST one GraphQL request with a new comment each time, so that no cache can answer it.
-- Usage: wrk ... -s hostile.lua URL -- TEMPLATE_FILE
--   TEMPLATE_FILE: a GraphQL request body with __N__ (replaced by a unique number) in a comment.
-- Answers 429 (the client's budget is spent) are counted as "rejected".
local report = dofile(os.getenv("WRK_LUA_DIR") .. "/report.lua")

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

local template, counter = nil, 0
-- A global, not a local: done() reads each thread's count with thread:get, which sees globals only.
rejected = 0

function init(args)
  local f = assert(io.open(args[1], "rb"))
  template = f:read("*a")
  f:close()
  rejected = 0
end

function request()
  counter = counter + 1
  local n = tostring(id) .. "-" .. tostring(counter) .. "-" .. tostring(os.time())
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
  }, (template:gsub("__N__", n)))
end

function response(status, headers, body)
  if status == 429 then
    rejected = rejected + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (tonumber(t:get("rejected")) or 0) end
  report.done(summary, latency, requests, total)
end
