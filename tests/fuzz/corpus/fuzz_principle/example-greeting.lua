return principle {
  id = "greeting", title = "Open the call well", order = 1,
  why = "The first seconds set the tone: the customer should know who they are talking to.",
  items = {
    { id = "greet", must = true,
      prompt = "Greet the customer and give your name.",
      done = function(case) return case:said("agent", "my name is") end },
  },
}
