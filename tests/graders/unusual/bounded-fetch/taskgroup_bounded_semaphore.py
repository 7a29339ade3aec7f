"""A BoundedSemaphore inside an asyncio.TaskGroup."""

import asyncio


async def fetch_bounded(urls, fetch, limit):
    if limit < 1:
        raise ValueError("limit")
    sem = asyncio.BoundedSemaphore(limit)

    async def one(u):
        async with sem:
            return await fetch(u)

    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(one(u)) for u in urls]
    return [t.result() for t in tasks]
