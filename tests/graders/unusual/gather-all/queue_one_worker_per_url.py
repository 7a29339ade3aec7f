"""An asyncio.Queue drained by as many workers as there are URLs."""

import asyncio


async def fetch_all(urls, fetch):
    q = asyncio.Queue()
    for item in enumerate(urls):
        q.put_nowait(item)
    out = [None] * len(urls)

    async def worker():
        while not q.empty():
            i, u = q.get_nowait()
            out[i] = await fetch(u)

    await asyncio.gather(*(worker() for _ in urls))
    return out
