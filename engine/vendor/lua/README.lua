
This is Lua 5.4.7, released on 13 Jun 2024.

For installation instructions, license details, and
further information about Lua, see doc/readme.html.

