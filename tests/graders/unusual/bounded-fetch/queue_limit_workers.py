"""min(limit, len(urls)) workers take URLs from a queue with get_nowait()."""

import asyncio


async def fetch_bounded(urls, fetch, limit):
    if limit < 1:
        raise ValueError("limit")
    q = asyncio.Queue()
    for item in enumerate(urls):
        q.put_nowait(item)
    out = [None] * len(urls)

    async def worker():
        while True:
            try:
                i, u = q.get_nowait()
            except asyncio.QueueEmpty:
                return
            out[i] = await fetch(u)

    await asyncio.gather(*(worker() for _ in range(min(limit, len(urls)))))
    return out
