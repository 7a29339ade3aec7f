"""Recursion with 1 << k."""

import asyncio


async def fetch_with_retry(url, fetch, attempts, base_delay, _k=0):
    try:
        return await fetch(url)
    except ConnectionError:
        if _k + 1 >= attempts:
            raise
        await asyncio.sleep(base_delay * (1 << _k))
        return await fetch_with_retry(url, fetch, attempts, base_delay, _k + 1)
