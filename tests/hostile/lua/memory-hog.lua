-- hostile: keeps all the memory it can get, catching the memory error,
-- to take the memory the other principles need
local keep, list = {}, nil
return principle {
  id = "hog", title = "Hog", order = 1,
  items = {
    { id = "bad", done = function(case)
        local s = ("x"):rep(4000)
        pcall(function()
          for i = 1, 1e9 do keep[#keep + 1] = s .. i end
        end)
        pcall(function() while true do list = { list } end end)
        return case.now < 0
      end },
  },
}
