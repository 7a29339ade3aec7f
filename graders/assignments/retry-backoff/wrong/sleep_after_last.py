# fails: gives-up
"""Waits once more after the last failure before giving up."""

import asyncio


async def fetch_with_retry(url, fetch, attempts, base_delay):
    error = None
    for k in range(attempts):
        try:
            return await fetch(url)
        except ConnectionError as exc:
            error = exc
            await asyncio.sleep(base_delay * 2**k)
    raise error
