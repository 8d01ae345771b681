return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return load('return load("return load(\'return 1\')")')()()() == 1
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
