-- hostile: a chain of 55,000 ephemerons (weak keys whose values lead to
-- the next key, linked against the table's order): resolving it took
-- the collector a pass over the table per link, seconds of work that no
-- call was charged for; weak keys now make a table all weak.  The keys
-- are made at load time, linked by the predicate (a budget each).
local E = setmetatable({}, { __mode = "k" })
local ks, first = {}, nil
for i = 1, 55000 do ks[i] = {} end
local junk
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case)
        if ks then
          for i = #ks, 2, -1 do E[ks[i]] = ks[i - 1] end
          first, ks = ks[#ks], nil
        end
        for i = 1, 200000 do junk = { i } end
        return first == nil end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
