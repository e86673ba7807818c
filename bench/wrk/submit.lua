-- POST resident input submissions: each request a new title and body, the residents taken in turn.
-- Usage: wrk ... -s submit.lua URL -- TEMPLATE_FILE TOKENS_FILE
--   TEMPLATE_FILE: a GraphQL request body with __N__ (a unique number) and __GROUP__ (a group id)
--   TOKENS_FILE:   one line per resident: "Bearer <jwt>" TAB "<follow-up group id>"
-- A 200 whose payload has errors (rate limited, duplicate, ...) counts as rejected.
local report = dofile(os.getenv("WRK_LUA_DIR") .. "/report.lua")

setup = report.setup
done = report.done_with_rejected

local template, tokens, counter, stride = nil, {}, 0, 1
-- A global, not a local: done() reads each thread's count with thread:get, which sees globals only.
rejected = 0

function init(args)
  template = report.read(args[1])
  for line in io.lines(args[2]) do
    local auth, group = line:match("^(.-)\t(.*)$")
    if auth then table.insert(tokens, { auth = auth, group = group }) end
  end
  stride = tonumber(args[3] or "2")
  rejected = 0
end

function request()
  counter = counter + 1
  local t = tokens[((counter * stride + id) % #tokens) + 1]
  local n = tostring(id) .. "-" .. tostring(counter) .. "-" .. tostring(os.time())
  local body = template:gsub("__N__", n):gsub("__GROUP__", t.group)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
    ["Authorization"] = t.auth,
  }, body)
end

function response(status, headers, body)
  if status == 200 and not body:find('"errors":[]', 1, true) then
    rejected = rejected + 1
  end
end
