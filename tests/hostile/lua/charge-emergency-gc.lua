-- hostile: a principle at its memory cap, trying again and again under
-- pcall: each failed allocation made Lua collect the whole heap, work no
-- call was charged for (a million small tables to walk each time)
local keep = {}
local function fill() for i = 1, 1e9 do keep[#keep + 1] = { i } end end
local function full() pcall(fill) return false end
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "a", done = full }, { id = "b", done = full },
    { id = "c", done = full }, { id = "d", done = full },
    { id = "e", done = full }, { id = "f", done = full },
    { id = "bad", done = function(case)
        for i = 1, 1e7 do pcall(function() keep[0] = ("y"):rep(64) .. i end) end
        return false end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
