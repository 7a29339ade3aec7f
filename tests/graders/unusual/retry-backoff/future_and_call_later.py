"""Waits on a future that loop.call_later resolves."""

import asyncio


async def fetch_with_retry(url, fetch, attempts, base_delay):
    loop = asyncio.get_running_loop()
    last = None
    for k in range(attempts):
        try:
            return await fetch(url)
        except ConnectionError as exc:
            last = exc
        if k < attempts - 1:
            waiter = loop.create_future()
            loop.call_later(base_delay * 2**k, waiter.set_result, None)
            await waiter
    raise last
