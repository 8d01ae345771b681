-- hostile: os.execute while the file loads
os.execute("touch pwned-load")
return principle { id = "h", title = "Hostile", items = { { id = "a" } } }
