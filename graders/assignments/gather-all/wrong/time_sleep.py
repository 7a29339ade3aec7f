# fails: no-blocking
"""Rate-limits with time.sleep inside the coroutines: blocks the event loop."""

import asyncio
import time


async def fetch_all(urls, fetch):
    async def one(url):
        time.sleep(0.01)
        return await fetch(url)

    return list(await asyncio.gather(*(one(url) for url in urls)))
