-- Phrases more than one principle listens for, written once here: a
-- principle file gets them with `local phrases = use "phrases"`.

return {
  -- Whether one of the patterns is in text (plain: as plain text, not
  -- Lua patterns): phrases.found(text, phrases.fix_works).
  found = function(text, patterns, plain)
    for _, p in ipairs(patterns) do
      if text:find(p, 1, plain) then return true end
    end
    return false
  end,

  -- The customer says the fix works: own counts the case resolved,
  -- follow_up counts the fix verified in the call.
  fix_works = {
    "that fixed it", "it works now", "it's working now", "working again",
    "problem solved", "that worked", "that solves it",
  },
}
