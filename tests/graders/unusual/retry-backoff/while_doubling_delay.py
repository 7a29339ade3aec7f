"""A while loop that doubles the delay."""

import asyncio


async def fetch_with_retry(url, fetch, attempts, base_delay):
    k = 0
    delay = base_delay
    while True:
        try:
            return await fetch(url)
        except ConnectionError:
            k += 1
            if k >= attempts:
                raise
            await asyncio.sleep(delay)
            delay *= 2
