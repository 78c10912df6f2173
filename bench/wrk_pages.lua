-- wrk script: rotate over public pages and count responses by status class, across all threads.
-- `wrk ... -s bench/wrk_pages.lua URL -- FILE` reads the paths from FILE (one a line) instead.
local paths = {"/", "/therapies/", "/therapies/ocrelizumab/", "/therapies/natalizumab/", "/trials/",
               "/risks/", "/risks/pml/", "/about/"}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  if args[1] then
    paths = {}
    for line in io.lines(args[1]) do table.insert(paths, line) end
  end
  i = 0
  s2, s3, s4, s5 = 0, 0, 0, 0
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  else s2 = s2 + 1 end
end

function done(summary, latency, requests)
  local t2, t3, t4, t5 = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    t2 = t2 + thread:get("s2"); t3 = t3 + thread:get("s3")
    t4 = t4 + thread:get("s4"); t5 = t5 + thread:get("s5")
  end
  io.write(string.format("STATUS 2xx=%d 3xx=%d 4xx=%d 5xx=%d\n", t2, t3, t4, t5))
  io.write(string.format("LATENCY p50=%.1fms p99=%.1fms max=%.1fms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
