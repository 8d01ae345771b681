-- hostile: a prompt function returning 10 MB (building it spends the
-- budget; with a larger one, the prompt is refused for its length)
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", prompt = function(case) return ("x"):rep(10 * 1024 * 1024) end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
