return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return math.tointeger(2^63) == nil and (math.mininteger // -1) ~= nil and math.fmod(math.mininteger, -1) == 0
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
