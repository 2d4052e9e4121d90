-- wrk script: every request asks /intent with the next of the questions in
-- the file named by the QUESTIONS environment variable (one per line,
-- already URL-encoded), so the server cannot answer from a cache.
local qs = {}
local path = os.getenv("QUESTIONS")
for line in io.lines(path) do
  if #line > 0 then qs[#qs + 1] = line end
end
local i = 0
request = function()
  i = (i % #qs) + 1
  return wrk.format("GET", "/intent?query=" .. qs[i])
end
