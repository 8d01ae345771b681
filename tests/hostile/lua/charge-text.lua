-- hostile: the text library on 2 MB of words, over and over, in a
-- predicate: every call charges its words
local S = string.rep("refund parcel issued. ", 100000)
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case)
        for i = 1, 1e6 do
          local y = text.similar(S, { "refund issued", "parcel late" })
        end
        return true
      end },
  },
}
