# assignment: gather-all
# expect: zero
"""Raises an exception whose __str__ never returns, hoping to wedge whoever formats it."""


class Wedge(Exception):
    def __str__(self):
        while True:
            pass


async def fetch_all(urls, fetch):
    raise Wedge()
