# fails: concurrent
"""Gathers in chunks of 10: never more than 10 requests in flight."""

import asyncio


async def fetch_all(urls, fetch):
    bodies = []
    for start in range(0, len(urls), 10):
        bodies += await asyncio.gather(*(fetch(url) for url in urls[start : start + 10]))
    return bodies
