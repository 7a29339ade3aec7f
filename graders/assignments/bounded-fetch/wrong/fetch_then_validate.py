# fails: validates-limit
"""Starts the fetches first and validates the limit afterwards: too late, requests are out."""

import asyncio


async def fetch_bounded(urls, fetch, limit):
    slots = asyncio.Semaphore(max(limit, 1))

    async def one(url):
        async with slots:
            return await fetch(url)

    tasks = [asyncio.ensure_future(one(url)) for url in urls]
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return list(await asyncio.gather(*tasks))
