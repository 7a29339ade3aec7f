# fails: backoff
"""Waits base_delay before every retry: no backoff."""

import asyncio


async def fetch_with_retry(url, fetch, attempts, base_delay):
    for k in range(attempts):
        try:
            return await fetch(url)
        except ConnectionError:
            if k == attempts - 1:
                raise
            await asyncio.sleep(base_delay)
