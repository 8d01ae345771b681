-- not an attack: the memory hog's victim (memory-hog.lua), which needs a
-- megabyte on every call
return principle {
  id = "victim", title = "Victim", order = 2,
  items = {
    { id = "ok", done = function(case) local t = ("y"):rep(1e6) .. case.now return #t > 0 end },
  },
}
