-- hostile: rawset got past the freeze of the globals and the read-only library proxies
-- (a global kept across calls, string.format replaced in the file's environment)
return principle { id = "h", items = { { id = "bad", done = function(case)
  rawset(_G, "counter", (rawget(_G, "counter") or 0) + 1)
  rawset(string, "format", function() return "replaced" end)
  return false
end } } }
