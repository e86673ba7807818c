-- GET a page (the portal's HTML); wrk's URL carries the path.
local report = dofile(os.getenv("WRK_LUA_DIR") .. "/report.lua")
wrk.method = "GET"
wrk.headers["Accept"] = "text/html"
done = report.done
