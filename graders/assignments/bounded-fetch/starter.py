"""bounded-fetch: fetch every URL with at most `limit` requests in flight.

Write `fetch_bounded(urls, fetch, limit)`. See the statement for every rule.
"""

import asyncio


async def fetch_bounded(urls: list[str], fetch, limit: int) -> list[bytes]:
    raise NotImplementedError("bound the number of fetches in flight")
