"""gather-all: fetch every URL at once.

Write `fetch_all(urls, fetch)`: call `await fetch(url)` for every url in `urls`, all at the
same time, and return the bodies in the order of `urls`. See the statement for every rule.
"""

import asyncio


async def fetch_all(urls: list[str], fetch) -> list[bytes]:
    raise NotImplementedError("start every fetch, then return the bodies in order")
