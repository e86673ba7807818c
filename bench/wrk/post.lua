-- POST one fixed body (a GraphQL request) on every request.
-- Usage: wrk ... -s post.lua URL -- BODY_FILE [AUTHORIZATION] [ACCEPT]
local report = dofile(os.getenv("WRK_LUA_DIR") .. "/report.lua")

function init(args)
  wrk.body = report.read(args[1])
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = args[3] or "application/json"
  if args[2] and args[2] ~= "" then
    wrk.headers["Authorization"] = args[2]
  end
end

done = report.done
