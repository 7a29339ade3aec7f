"""asyncio.wait_for around a coroutine that walks asyncio.as_completed."""

import asyncio


async def first_success(urls, fetch, timeout):
    tasks = [asyncio.create_task(fetch(u)) for u in urls]

    async def race():
        last = None
        for fut in asyncio.as_completed(tasks):
            try:
                return await fut
            except Exception as exc:
                last = exc
        raise last

    try:
        return await asyncio.wait_for(race(), timeout)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.wait(tasks)
