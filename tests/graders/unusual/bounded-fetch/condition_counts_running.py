"""An asyncio.Condition guards a count of running fetches."""

import asyncio


async def fetch_bounded(urls, fetch, limit):
    if limit < 1:
        raise ValueError("limit")
    cond = asyncio.Condition()
    running = 0

    async def one(u):
        nonlocal running
        async with cond:
            await cond.wait_for(lambda: running < limit)
            running += 1
        try:
            return await fetch(u)
        finally:
            async with cond:
                running -= 1
                cond.notify()

    return list(await asyncio.gather(*map(one, urls)))
