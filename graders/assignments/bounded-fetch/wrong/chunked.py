# fails: saturates
"""Gathers in batches of `limit`: bounded, but a batch waits for its slowest fetch."""

import asyncio


async def fetch_bounded(urls, fetch, limit):
    if limit < 1:
        raise ValueError("limit must be at least 1")
    bodies = []
    for start in range(0, len(urls), limit):
        bodies += await asyncio.gather(*(fetch(url) for url in urls[start : start + limit]))
    return bodies
