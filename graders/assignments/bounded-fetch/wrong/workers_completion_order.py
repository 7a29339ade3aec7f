# fails: correct
"""`limit` workers share a queue (well bounded and saturated), but append the bodies in the
order they finish instead of the order of urls."""

import asyncio


async def fetch_bounded(urls, fetch, limit):
    if limit < 1:
        raise ValueError("limit must be at least 1")
    queue = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    bodies = []

    async def worker():
        while not queue.empty():
            url = queue.get_nowait()
            bodies.append(await fetch(url))

    await asyncio.gather(*(worker() for _ in range(limit)))
    return bodies
