-- hostile: a chain of 60,000 ephemerons (weak keys whose values lead to
-- the next key, linked against the table's order): resolving it took
-- the collector a pass over the table per link, seconds of work that no
-- call was charged for; weak keys now make a table all weak
local E = setmetatable({}, { __mode = "k" })
local first
local function chain(n)
  local ks = {}
  for i = 1, n do ks[i] = {} end
  for i = n, 2, -1 do E[ks[i]] = ks[i - 1] end
  first = ks[n]
end
chain(60000)
local junk
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case)
        for i = 1, 200000 do junk = { i } end
        return first == nil end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
