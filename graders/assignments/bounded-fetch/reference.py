"""bounded-fetch, reference solution: a semaphore lets `limit` fetches run; each finished fetch
lets the next waiting one (in the order of urls) start at once."""

import asyncio


async def fetch_bounded(urls: list[str], fetch, limit: int) -> list[bytes]:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    slots = asyncio.Semaphore(limit)

    async def one(url):
        async with slots:
            return await fetch(url)

    return list(await asyncio.gather(*(one(url) for url in urls)))
