-- The shape of a conversation, shared by the default principles: which
-- sentences are questions, requests, answers, confirmations and
-- closings.  Built on the engine's word matching (`text`): stems, gaps,
-- typos and negation, so "I can look into that for you" and "let me
-- look that up" are one phrase, and "I can't help" is not "I can help".

local talk = { text = text }

-- The lists below are asked about at every event: each is also read
-- once into a `text.phrases` list, which text.has takes in its place.

-- s without the blanks around it.
function talk.trim(s)
  local a = s:find("%S")
  if not a then return "" end
  local b = #s
  while s:byte(b) <= 32 do b = b - 1 end
  return s:sub(a, b)
end

-- Sentences of an utterance (`text.sentences`).  Detectors of every
-- principle ask for the same utterance's sentences, so the last few are
-- kept (the answer is the same, only sooner).
local memo, nmemo = {}, 0
function talk.sentences(s)
  local out = memo[s]
  if out then return out end
  out = text.sentences(s)
  if nmemo == 32 then memo, nmemo = {}, 0 end
  memo[s], nmemo = out, nmemo + 1
  return out
end

-- A question asks something open ("what is your name?"); a yes/no
-- question checks something ("so you want a refund?").
local wh = { what = true, which = true, who = true, whom = true, whose = true,
             where = true, when = true, why = true, how = true }
local aux = { is = true, are = true, ["do"] = true, does = true, did = true,
              can = true, could = true, would = true, will = true, may = true,
              should = true, have = true, has = true }
local function first_word(s)
  local first = s:lower():match("^%W*(%a+)")
  if first == "and" or first == "ok" or first == "okay" or first == "so" then
    first = s:lower():match("^%W*%a+%W+(%a+)")
  end
  return first
end
-- "What is your name?" asks; "So what I'm hearing is ...?" does not
-- (a subject right after the wh-word opens a clause).
local subjects = { i = true, you = true, we = true, they = true, he = true,
                   she = true, it = true }
-- The word after first_word's.
local function after_first(s)
  local low = s:lower()
  if wh[low:match("^%W*(%a+)")] or aux[low:match("^%W*(%a+)")] then
    return low:match("^%W*%a+%W+(%a+)")
  end
  return low:match("^%W*%a+%W+%a+%W+(%a+)")
end
function talk.wh_question(s)
  if not wh[first_word(s)] or not s:find("?", 1, true) then return false end
  return not subjects[after_first(s) or ""]
end
-- A sentence that opens as a question: "How can I help?", "Can I get
-- ...", not "What I can do is ..." (a subject after the wh-word).
function talk.opens_question(s)
  local w = first_word(s)
  if aux[w] then return true end
  return wh[w] == true and not subjects[after_first(s) or ""]
end

-- Yes, correct, exactly: the customer agrees, in the first words of the
-- reply.  "No, ..." corrects.
local agreeing = { "yes", "yeah", "yep", "yup", "correct", "exactly", "right",
                   "absolutely", "indeed", "that is it", "that is right" }
local agreeing_p = text.phrases(agreeing)
function talk.confirms(s)
  local head = {}
  for w in s:gmatch("%S+") do
    head[#head + 1] = w
    if #head == 3 then break end
  end
  local start = table.concat(head, " ")
  return text.has(start, agreeing_p, 0) ~= nil and not text.has(start, { "no", "nope" }, 0)
end

-- The customer is done: thanks, "that's all", "nothing else", "no".
local closing = {
  "that is all|it|everything", "that was all|it|everything", "thats all|it",
  "that will be all|it", "nothing else", "no more", "all i need", "all set",
  "i am good", "will be all",
}
local closing_p = text.phrases(closing)
function talk.thanks(s) return text.has(s, { "thank", "thx", "thanks", "appreciate" }, 0) ~= nil end
function talk.closing(s)
  if talk.thanks(s) or text.has(s, closing_p, 1) then return true end
  local w = text.words(s)
  return #w <= 3 and (w[1] == "no" or w[1] == "nope")
end

-- The agent asks for something the customer must give: "may I have your
-- name", "I'll need your email", "can you send me the order number?".
local requesting = {
  "may i have", "can i have", "could i have", "can i get", "could i get",
  "can you give", "could you give", "can you provide", "could you provide",
  "please provide", "i need your", "i will need", "i just need", "need your",
  "can you send", "could you send", "give me", "provide", "send me", "what is your",
  "do you have your", "do you know your", "do you happen to",
}
local requesting_p = text.phrases(requesting)
function talk.request(s) return text.has(s, requesting_p, 1) ~= nil end
talk.requesting = requesting

-- Taking the problem on: help, look, check, handle, in the first person.
local owning = {
  "i can help", "i can assist", "i sure can", "happy to help", "glad to help",
  "happy to assist", "glad to assist", "happy to look", "glad to look",
  "help you with", "assist you with", "let me look", "let me check",
  "let me see", "let me pull", "let me find", "let us look", "let me help",
  "look into", "look that up", "look it up", "take care of it",
  "take care of this", "take care of that", "get right on", "leave it with me",
  "i will answer|find|check|look|handle|sort|investigate|indicate|fix|resolve", "i will make sure", "have everything i need to help",
}
local owning_p = text.phrases(owning)
function talk.owns(s) return text.has(s, owning_p, 2) end
talk.owning = owning

-- Feelings, not content: "I'm so sorry", "I can hear how frightening
-- this is", "take your time".
local feeling = {
  "sorry", "apologize", "i understand", "i can hear", "i hear", "i can see",
  "i know how", "i appreciate", "frustrat", "take your time", "no rush",
  "must be", "thank",
}
local feeling_p = text.phrases(feeling)
function talk.empathy(s) return text.has(s, feeling_p, 1) ~= nil end
talk.feeling = feeling

-- "We cannot accept the return", "that isn't something I can do": the
-- agent cannot (explain tells a refusal from "I can't get the old
-- password, but I can make a new one", which offers).
local able = { "i can", "we can", "i am able", "we are able", "i could", "we could" }
local unable = {
  "i|we can not", "i|we could not", "i|we am|are not able", "i|we am|are unable",
  "not allowed", "i|we will not be able", "not possible",
}
talk.able, talk.unable = able, unable

-- How a restatement is framed: "so you need ...", "sounds like ...",
-- "you said ...", "if I understand ...".
-- The strong frames say "I am saying your problem back" on their own;
-- the others only with the customer's own words in them.
local strong = {
  "sounds like", "what i hear", "if i understand", "so i understand",
  "just to confirm", "to make sure i", "let me make sure", "to wrap up",
  "am i right",
}
local framing = {
  "so you", "you need me", "you need help", "you said", "you mention",
  "you are saying", "just to clarify", "you are looking for",
  "you need to know", "you want to know", "you would like to know",
}
for _, p in ipairs(strong) do framing[#framing + 1] = p end
local framing_p, strong_p = text.phrases(framing), text.phrases(strong)
function talk.restating(s) return text.has(s, framing_p, 1) end
function talk.strongly_restating(s) return text.has(s, strong_p, 1) end
talk.framing = framing

-- What is left to happen after the call, in the agent's words: money
-- or goods on their way, a message to come, a review.
local pending = {
  "you will receive|get|have", "you should be getting|receiving",
  "you should get|receive",
  "will arrive", "should arrive", "will contact", "will call", "will email",
  "will be sent|shipped|delivered|processed|credited|refunded|reviewed",
  "will reach out", "will hear", "will review", "in the next", "in progress",
  "being processed", "on its way",
  "refund has been issued|submitted|processed|made", "i have issued refund",
  "issued you refund", "new shipment", "delivery request",
}
local pending_p = text.phrases(pending)
function talk.pending(s) return text.has(s, pending_p, 1) ~= nil end
talk.pending_words = pending

-- The content words of s, stemmed: no function words ("text.words"
-- with content = true), no chat filler.
local filler = {}
for _, w in ipairs(text.words("okay ok sure great perfect alright right well oh hi hello hey thank thanks welcome sorry apologize apology problem moment sec please glad happy let help assist anything else today good day nice wonderful awesome absolutely certainly course", true)) do
  filler[w] = true
end
function talk.content(s)
  local out = {}
  for _, w in ipairs(text.words(s, true)) do
    if not filler[w] then out[#out + 1] = w end
  end
  return out
end

-- What the customer said before `event`, as one text: their last dozen
-- utterances (case:recent reads back from the event, so this costs the
-- same at the end of a long case as at its start).
function talk.customer_before(case, event)
  local parts = {}
  for e in case:recent("customer.said", event) do
    if e.text then table.insert(parts, 1, e.text) end
    if #parts == 12 then break end
  end
  return table.concat(parts, " \n ")
end

return talk
