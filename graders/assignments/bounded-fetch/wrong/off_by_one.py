# fails: bounded
"""Semaphore(limit + 1): one fetch too many."""

import asyncio


async def fetch_bounded(urls, fetch, limit):
    if limit < 1:
        raise ValueError("limit must be at least 1")
    slots = asyncio.Semaphore(limit + 1)

    async def one(url):
        async with slots:
            return await fetch(url)

    return list(await asyncio.gather(*(one(url) for url in urls)))
