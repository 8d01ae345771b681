-- Ownership in the agent's own words: detectors on words and by
-- example, and the text library in a predicate.
--
-- `words` matches phrases by their stems ("looking into" is "look
-- into"), with a few words between theirs and a typo in a long word,
-- but not after a negator ("I can't help you with that").  `examples`
-- fires on what is close to one of them: done work, said in other
-- words.  checked_back asks text.echo how much of the customer's first
-- message a question of the agent's repeats.

return principle {
  id = "ownership", title = "Own it in your own words", order = 45,
  why = "A customer trusts an agent who takes the problem on and says what was done.",
  items = {
    { id = "took_on",
      prompt = "Tell the customer you will look into it yourself.",
      done = function(case) return case:has("agent.took_on") end },
    { id = "said_done", after = { "took_on" },
      prompt = "Say what you did: \"I have issued you a refund.\"",
      done = function(case) return case:has("agent.did") end },
    { id = "checked_back",
      prompt = "Ask back, in the customer's own words, whether you have it right.",
      done = function(case)
        local first = case:first("customer.said")
        if not first or not first.text then return false end
        for e in case:events("agent.said") do
          if e.text and text.question(e.text)
             and text.echo(e.text, first.text) >= 0.5 then
            return true
          end
        end
        return false
      end },
  },
  detect = {
    { on = "agent.said", emit = "agent.took_on",
      words = { "look into", "take care of", "help you with",
                { "i will make sure this gets sorted", need = 3 } } },
    { on = "agent.said", emit = "agent.did", threshold = 0.5,
      examples = { "I have issued you a refund",
                   "Your order has been updated",
                   "I have sent you a new password" } },
  },
}
