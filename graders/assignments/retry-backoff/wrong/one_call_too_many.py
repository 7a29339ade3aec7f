# fails: gives-up
"""Retries `attempts` times after the first call: attempts + 1 calls in all."""

import asyncio


async def fetch_with_retry(url, fetch, attempts, base_delay):
    k = 0
    while True:
        try:
            return await fetch(url)
        except ConnectionError:
            if k == attempts:
                raise
            await asyncio.sleep(base_delay * 2**k)
            k += 1
