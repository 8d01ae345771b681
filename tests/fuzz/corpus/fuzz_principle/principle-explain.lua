-- Explain: explain the solution in a way this customer can follow, and
-- check that they did.
--
-- Many contacts are questions, and the answer is the solution: "all
-- promo codes expire after 7 days", "it is currently in progress".  Such
-- an answer is a proposal, and when it says how things go it is its own
-- explanation.

-- An answer that starts "you can ..." or "it will ..." solves the
-- customer's question, when there was one just before.
local answer_starts = {
  "^%W*you can ", "^%W*it will ", "^%W*%a+%p* you can ", "^%W*%a+%p* it will ",
}
local question_starts = {
  "^%W*how ", "^%W*when ", "^%W*what ", "^%W*where ", "^%W*why ", "^%W*can ",
  "^%W*could ", "^%W*do ", "^%W*does ", "^%W*is ", "^%W*will ", "^%W*are ",
}

local function is_question(text)
  if text:find("?", 1, true) then return true end
  for _, p in ipairs(question_starts) do
    if text:find(p) then return true end
  end
  return false
end

return principle {
  id = "explain", title = "Explain so it lands", order = 30,
  why = "A solution only helps if this customer can follow it; check that they did.",
  items = {
    { id = "propose", must = true,
      prompt = "Propose a solution to the real problem.",
      done = function(case) return case:has("agent.proposed") end },
    { id = "explain_steps", must = true, after = { "propose" },
      prompt = "Explain the steps in plain words, one at a time.",
      done = function(case) return case:has("agent.explained") end },
    { id = "check_understanding", must = true, after = { "explain_steps" },
      prompt = "Check the customer can follow the steps: ask them to say what they will do.",
      done = function(case) return case:has("customer.understood") end },
  },
  detect = {
    { on = "agent.said", emit = "agent.proposed", pattern = {
        "what i can do is", "what we can do is", "here's what i suggest",
        "here is what i suggest", "i can offer", "i'd like to offer",
        "i recommend", "i'd recommend", "i suggest", "i'd suggest",
        "the solution is", "the best option", "i can send you",
        "i can issue", "we can replace", "i'll process", "i will process",
        "i can refund", "i can book", "i've booked", "i can reschedule",
        "how about", "let me offer",
        -- answers to a question
        "it is currently", "it's currently", "expire after", "expires after",
        "will be refunded", "will be credited", "takes less than",
        "the status is" } },
    { on = "agent.said", fn = function(case, event)
        local text = event.text and event.text:lower()
        if not text then return nil end
        local starts = false
        for _, p in ipairs(answer_starts) do
          if text:find(p) then starts = true break end
        end
        if not starts then return nil end
        local q = case:last("customer.said")
        if q and q.text and is_question(q.text:lower()) then return "agent.proposed" end
      end },
    { on = "agent.said", emit = "agent.explained", pattern = {
        "^first", "step one", "here's how", "here is how", "you'll need to",
        "you will need to", "the steps are", "what will happen is",
        "^then you", ", then you", "after that,", "go to settings",
        "open settings", "click on", "tap on", "you'll receive",
        "you will receive",
        -- an answer that says how things go
        "expire after", "expires after", "is being processed",
        "will be refunded", "will be credited" } },
    { on = "agent.said", emit = "agent.checked_understanding", pattern = {
        "does that make sense", "is that clear", "can you tell me what you'll do",
        "could you repeat", "can you walk me through", "does that sound",
        "any questions", "do you follow" } },
    { on = "customer.said", emit = "customer.understood", after = "agent.explained",
      within = 300, pattern = {
        "makes sense", "got it", "understood", "that's clear", "i see",
        "so i (%a+)", "so i'll", "so i will", "okay, i'll", "ok, i'll",
        "i'll do that", "i will do that", "sounds good",
        "perfect%W+thank", "great%W*thank", "that helps", "that answers",
        "that's helpful" } },
  },
}
