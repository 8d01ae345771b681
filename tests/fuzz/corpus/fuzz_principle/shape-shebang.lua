#!/usr/bin/lua
return principle { id = "s", items = { { id = "i" } } }