-- hostile: an endless loop while the file loads
while true do end
return principle { id = "h", title = "Hostile", items = { { id = "a" } } }
