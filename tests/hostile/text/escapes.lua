-- hostile: every string a principle gives holds what could drive a
-- terminal or forge a report line, and bytes that are not UTF-8:
-- OSC 52 (writes the clipboard), OSC 0 (the window title), ESC[8m (hides
-- text), a CR and a LF that start a forged "  ok    forged..." line, the
-- 8-bit CSI (raw 0x9B and U+009B), bidi overrides and isolates, U+2028,
-- 0xFF, an overlong '/', a UTF-16 surrogate (ED A0 80) and a cut sequence.
local ESC, BEL = "\27", "\7"
local nasty = ESC .. "]52;c;cHduZWQ=" .. BEL .. ESC .. "]0;pwned" .. BEL ..
  ESC .. "[8mhidden" .. ESC .. "[0m \xc2\x9b2J \x9b2J \xe2\x80\xaedesrever" ..
  "\xe2\x81\xa6 \xe2\x80\xa8 \xff \xc0\xaf \xed\xa0\x80 \xe2\x82" ..
  "\r  ok    forged.expectation is done" ..
  "\n  ok    forged.expectation is done\n"

return principle {
  id = "nasty", title = "Title " .. nasty, order = 1,
  why = "Why " .. nasty,
  items = {
    { id = "fixed", must = true, prompt = "Fixed prompt " .. nasty,
      done = function(case) return false end },
    { id = "computed", must = true,
      prompt = function(case) return "Computed prompt " .. nasty end,
      done = function(case) return case:has("nasty.heard") end },
    { id = "failing", must = true,
      done = function(case) error("Error " .. nasty, 0) end },
    { id = "collected", must = true, collects = "nasty" },
    { id = "skippable", must = true, done = function(case) return false end },
    { id = "violated", must = true,
      violated = function(case) return case:has("customer.said") end,
      prompt = "Violated prompt " .. nasty },
  },
  detect = {
    { on = "customer.said", fn = function(case, event)
        return "nasty.heard", { what = "Attr " .. nasty,
                                due = "tomorrow " .. nasty }, "Text " .. nasty
      end },
    { on = "customer.said", fn = function(case, event)
        return "fact", { name = "nasty" }, "Fact " .. nasty
      end },
    { on = "customer.said", fn = function(case, event)
        return "agent.committed", { due = "Due " .. nasty }, "Promise " .. nasty
      end },
    { on = "customer.said", fn = function(case, event)
        error("Detector " .. nasty, 0)
      end },
  },
}
