"""A sliding window of tasks refilled after every asyncio.wait(FIRST_COMPLETED)."""

import asyncio


async def fetch_bounded(urls, fetch, limit):
    if limit < 1:
        raise ValueError("limit must be >= 1")
    out = [None] * len(urls)
    pending = {}
    it = iter(enumerate(urls))

    def launch():
        for i, u in it:
            pending[asyncio.ensure_future(fetch(u))] = i
            if len(pending) >= limit:
                return

    launch()
    while pending:
        done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        for t in done:
            out[pending.pop(t)] = t.result()
        launch()
    return out
