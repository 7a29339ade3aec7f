# fails: validates-limit
"""Never checks limit: Semaphore(0) waits forever, and an empty list returns []."""

import asyncio


async def fetch_bounded(urls, fetch, limit):
    slots = asyncio.Semaphore(max(limit, 0))

    async def one(url):
        async with slots:
            return await fetch(url)

    return list(await asyncio.gather(*(one(url) for url in urls)))
