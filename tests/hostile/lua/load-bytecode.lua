-- hostile: load of a bytecode chunk (text mode is forced: load gives nil and the reason)
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) local f, msg = load("\27LuaT\0\25\147\r\n\26\n\4\8\8xV\0\0") if not f then error(msg, 0) end return f() end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
