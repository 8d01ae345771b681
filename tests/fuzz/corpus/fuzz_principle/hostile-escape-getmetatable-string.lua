return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      local m = getmetatable('') m.__index = nil return true
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
