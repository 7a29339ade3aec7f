"""asyncio.wait(FIRST_EXCEPTION), then the results in order or the first exception."""

import asyncio


async def fetch_all(urls, fetch):
    if not urls:
        return []
    tasks = [asyncio.ensure_future(fetch(u)) for u in urls]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    for t in done:
        if t.exception() is not None:
            for p in pending:
                p.cancel()
            raise t.exception()
    return [t.result() for t in tasks]
