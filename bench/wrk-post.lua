-- wrk script of the sign-up bench (screening.bench.ts): POSTs the body in $BENCH_BODY_FILE with
-- $BENCH_AUTHORIZATION (if set), then prints one line the bench parses.
wrk.method = "POST"
local file = io.open(os.getenv("BENCH_BODY_FILE"), "rb")
wrk.body = file:read("*a")
file:close()
wrk.headers["content-type"] = "application/json"
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization ~= nil and authorization ~= "" then wrk.headers["authorization"] = authorization end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
