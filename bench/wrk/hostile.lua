-- POST one GraphQL request with a new comment each time, so that no cache can answer it.
-- Usage: wrk ... -s hostile.lua URL -- TEMPLATE_FILE
--   TEMPLATE_FILE: a GraphQL request body with __N__ (replaced by a unique number) in a comment.
-- Answers 429 (the client's budget is spent) are counted as "rejected".
local report = dofile(os.getenv("WRK_LUA_DIR") .. "/report.lua")

setup = report.setup
done = report.done_with_rejected

local template, counter = nil, 0
-- A global, not a local: done() reads each thread's count with thread:get, which sees globals only.
rejected = 0

function init(args)
  template = report.read(args[1])
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
