# assignment: gather-all
# expect: zero
"""Prints terminal escape sequences (colour, clipboard write, title) and bidirectional
overrides, and raises an exception whose class name and text carry them too: whoever reads
the feedback (a terminal, `jq -r`) must see them escaped, not obeyed."""

import sys

EVIL = "\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07\u202eevil\u202c\x9b31m"
Escape = type("Escape" + EVIL, (Exception,), {})


async def fetch_all(urls, fetch):
    print("hello " + EVIL)
    sys.stderr.write(EVIL + "\n")
    raise Escape("boom " + EVIL)
