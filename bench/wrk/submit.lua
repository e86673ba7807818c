-- POST resident input submissions: each request a new title and body, the residents taken in turn.
-- Usage: wrk ... -s submit.lua URL -- TEMPLATE_FILE RESIDENTS_FILE THREADS RUN
--   TEMPLATE_FILE:  a GraphQL request body with __N__ (a unique number), __RUN__ (the run's tag),
--                   __GROUP__ (the group) and __SUBJECT__ (the resident, for a server told who it is)
--   RESIDENTS_FILE: one line per resident: "Bearer <jwt>" (or nothing) TAB group TAB subject
-- An answer without the stored input's createdAt (rate limited, duplicate, any error) counts as rejected.
local report = dofile(os.getenv("WRK_LUA_DIR") .. "/report.lua")

setup = report.setup
done = report.done_with_rejected

local template, residents, counter, stride = nil, {}, 0, 1
-- A global, not a local: done() reads each thread's count with thread:get, which sees globals only.
rejected = 0

function init(args)
  template = report.read(args[1]):gsub("__RUN__", args[4] or "")
  for line in io.lines(args[2]) do
    local auth, group, subject = line:match("^(.-)\t(.-)\t(.*)$")
    if auth then table.insert(residents, { auth = auth, group = group, subject = subject }) end
  end
  stride = tonumber(args[3] or "2")
  rejected = 0
end

function request()
  counter = counter + 1
  local r = residents[((counter * stride + id) % #residents) + 1]
  local n = tostring(id) .. "-" .. tostring(counter) .. "-" .. tostring(os.time())
  local body = template:gsub("__N__", n):gsub("__GROUP__", r.group):gsub("__SUBJECT__", r.subject)
  local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
  if r.auth ~= "" then headers["Authorization"] = r.auth end
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  if status == 200 and not body:find('"createdAt"', 1, true) then
    rejected = rejected + 1
  end
end
