Lua -- hostile: a principle file starting with the bytecode signature
return principle { id = "h", items = { { id = "a" } } }
