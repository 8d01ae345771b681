-- hostile: a loaded chunk named after another file, to forge where an
-- error comes from
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case)
        return load("error('forged')", "=other.lua:83")()
      end },
  },
}
