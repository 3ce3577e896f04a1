"""The bundled demo: a small French mini-web (package data), its watchlist, and the
local web server that serves it, also used by the tests."""
