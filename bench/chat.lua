-- wrk script for bench/run.sh: sends one chat completion request per call and
-- checks every response.
--
-- Environment: BENCH_TOKEN (bearer token, required), BENCH_STREAM ("true" for an SSE
-- response, anything else for one JSON object), BENCH_MODEL (default "gpt-4o-mini").
--
-- A response counts as failed when its status is not 2xx, or when its body lacks the
-- end of a complete response: "data: [DONE]" for a stream, "finish_reason" otherwise.
-- done() prints one "RESULT key=value ..." line, with latencies in microseconds.

local token = os.getenv("BENCH_TOKEN")
if token == nil or token == "" then
    error("BENCH_TOKEN is not set; export a bearer token before running wrk")
end
local stream = os.getenv("BENCH_STREAM") == "true"
local model = os.getenv("BENCH_MODEL") or "gpt-4o-mini"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = string.format(
    '{"model":"%s","stream":%s,"messages":[{"role":"user","content":"Name three colors."}]}',
    model, tostring(stream))

local complete_marker = stream and "data: [DONE]" or '"finish_reason"'

-- setup() and done() run in the main Lua state, and init() and response() in the state
-- of each thread.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    non_2xx = 0
    incomplete = 0
end

function response(status, headers, body)
    if status < 200 or status > 299 then
        non_2xx = non_2xx + 1
    elseif body == nil or not string.find(body, complete_marker, 1, true) then
        incomplete = incomplete + 1
    end
end

function done(summary, latency, requests)
    local non_2xx_total, incomplete_total = 0, 0
    for _, thread in ipairs(threads) do
        non_2xx_total = non_2xx_total + thread:get("non_2xx")
        incomplete_total = incomplete_total + thread:get("incomplete")
    end
    local errors = summary.errors
    io.write(string.format(
        "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d"
            .. " non_2xx=%d incomplete=%d connect_errors=%d read_errors=%d write_errors=%d"
            .. " timeouts=%d status_errors=%d\n",
        summary.requests, summary.duration,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
        non_2xx_total, incomplete_total, errors.connect, errors.read, errors.write,
        errors.timeout, errors.status))
end
