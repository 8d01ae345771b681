-- Boundaries: good service does not mean absorbing abuse.  Calm,
-- professional limits, an escalation path, and care for the agent.

local phrases = use "phrases"
local talk = use "talk"
local text = talk.text

local insults = {
  "idiot", "stupid", "moron", "useless", "incompetent", "pathetic",
  "shut up", "screw you", "damn you", "go to hell", "f%*+", "fuck",
  "shit", "bitch", "bastard", "you people are", "i know where you",
}
local second_person = { "you", "your", "yours", "yourself", "u", "ur" }

return principle {
  id = "boundaries", title = "Keep professional boundaries", order = 5,
  why = "Service does not mean absorbing abuse: set calm limits, offer a way up, and look after yourself.",
  applies = function(case) return case:has("customer.abusive") end,
  items = {
    { id = "acknowledge", must = true,
      prompt = "Acknowledge the frustration without taking the insult: \"I can hear this has been really frustrating.\"",
      done = function(case) return case:has("agent.acknowledged") end },
    { id = "set_boundary", must = true,
      prompt = "Set a calm boundary: \"I want to help, and I need us to keep this respectful.\"",
      done = function(case) return case:has("agent.boundary") end },
    { id = "offer_escalation", must = true,
      prompt = "Offer a supervisor or another channel if the customer wants one.",
      done = function(case)
        return case:has("agent.offered_escalation") or case:has("case.escalated")
      end },
    -- after the contact: the case waits for the agent to say they took
    -- their break (or to skip it)
    { id = "recover", later = true,
      prompt = "That call was hard. Take a few minutes away from the queue, and tell your lead what happened.",
      applies = function(case) return case:has("contact.ended") or case.closed end,
      done = function(case) return case:has("agent.recovered") end },
  },
  detect = {
    -- An insult aimed at the agent: in a sentence that speaks to them
    -- ("you idiot", "you people are useless"), or a threat.  "I forgot my
    -- username like a moron" is aimed at the customer themselves.
    { on = "customer.said", pattern = insults, fn = function(case, event)
        for _, s in ipairs(talk.sentences(event.text)) do
          if phrases.found(s:lower(), insults) and text.has(s, second_person, 0) then
            return "customer.abusive", nil, s
          end
        end
      end },
    { on = "agent.said", emit = "agent.acknowledged", pattern = {
        "i can hear", "i hear that", "i understand.-frustrat",
        "i understand this is", "i understand you're", "i'm sorry you",
        "i am sorry you", "that sounds really frustrating", "i get that this" } },
    { on = "agent.said", emit = "agent.boundary", pattern = {
        "keep this respectful", "keep it respectful", "please don't speak",
        "please do not speak", "i need you to stop", "i won't be able to continue",
        "i will not be able to continue", "i'll have to end the call",
        "i will end the call", "not acceptable", "please don't use that language",
        "without the language", "without insults" } },
    { on = "agent.said", emit = "agent.offered_escalation", pattern = {
        "supervisor", "my manager", "a manager", "team lead", "escalate" } },
  },
}
