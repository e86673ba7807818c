-- One JSON line with what the benchmark table needs, printed after the run.
local M = {}

function M.done(summary, latency, requests, rejected)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "rejected": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, rejected or 0))
end

-- The file's contents (a request template or body).
function M.read(path)
  local f = assert(io.open(path, "rb"))
  local contents = f:read("*a")
  f:close()
  return contents
end

-- setup() and done() of a script whose threads count rejected answers: each thread gets an id,
-- and done() adds up the threads' counts.
local threads = {}
local next_id = 0

function M.setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function M.done_with_rejected(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (tonumber(t:get("rejected")) or 0) end
  M.done(summary, latency, requests, total)
end

return M
