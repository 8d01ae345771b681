-- hostile: work inside one operation at load time: a source with many
-- gotos (Lua's parser is quadratic there), compiled again and again
local src = "do " .. ("goto z "):rep(32000) .. " ::z:: end"
for i = 1, 100000 do load(src) end
return principle { id = "h", title = "Hostile", items = { { id = "i" } } }
