return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return #utf8.char(0x7FFFFFFF, 0x10FFFF) > 0 and utf8.len('\xff') == nil
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
