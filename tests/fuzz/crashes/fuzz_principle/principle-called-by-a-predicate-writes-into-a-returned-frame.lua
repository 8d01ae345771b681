return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return principle(('a'):rep(2500)):gsub('(.-)(].-)(.-)(.-)x', '%4') ~= nilhas("cu__gcer.said") end },
} }
