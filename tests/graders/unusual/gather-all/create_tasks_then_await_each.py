"""Every task is created first, then awaited one by one: all requests are in flight together."""

import asyncio


async def fetch_all(urls, fetch):
    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(fetch(u)) for u in urls]
    return [await t for t in tasks]
