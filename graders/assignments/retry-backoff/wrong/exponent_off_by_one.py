# fails: backoff
"""Waits 2 * base_delay before the first retry: the exponent starts at 1."""

import asyncio


async def fetch_with_retry(url, fetch, attempts, base_delay):
    for k in range(attempts):
        try:
            return await fetch(url)
        except ConnectionError:
            if k == attempts - 1:
                raise
            await asyncio.sleep(base_delay * 2 ** (k + 1))
