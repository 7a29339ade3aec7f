# assignment: bounded-fetch
# expect: fails saturates
"""Fetches in batches of `limit` (idle slots while URLs wait), after fetching an unknown URL
once per URL: the refused requests used to count as started work, hiding the idle slots."""

import asyncio


async def fetch_bounded(urls, fetch, limit):
    if limit < 1:
        raise ValueError("limit must be at least 1")
    for _ in urls:
        try:
            await fetch("https://example.test/nothing-here")
        except ValueError:
            pass
    bodies = []
    for start in range(0, len(urls), limit):
        bodies += await asyncio.gather(*map(fetch, urls[start : start + limit]))
    return bodies
