goto skip
::skip::
return principle { id = "g", items = { { id = "x" } } }