# fails: bounded
"""Ignores the limit: every fetch at once."""

import asyncio


async def fetch_bounded(urls, fetch, limit):
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return list(await asyncio.gather(*(fetch(url) for url in urls)))
