-- wrk script for `make bench`.
--   wrk ... -s bench/wrk.lua <url> -- <bodies-file> <content-type> <threads>
-- With a bodies file, every request is a POST of the next line of the file
-- (thread k of n takes lines k, k+n, ...), so each submission is a new patient
-- with its own idempotency key. Without one, every request is a GET.
-- At the end it prints one line, "BENCH_RESULT {json}", that bench/loadgen.py reads.

local threads = {}
local bodies = {}
local next_body = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  if path ~= nil and path ~= "" then
    local content_type = args[2]
    local count = tonumber(args[3]) or 1
    local line_number = 0
    for line in io.lines(path) do
      if line_number % count == id then
        bodies[#bodies + 1] = line
      end
      line_number = line_number + 1
    end
    wrk.method = "POST"
    wrk.headers["Content-Type"] = content_type
  end
end

function request()
  if #bodies == 0 then
    return wrk.request()
  end
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[next_body])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
