"""Computes each wake-up time with time.monotonic() and sleeps until it."""

import asyncio
import time


async def fetch_with_retry(url, fetch, attempts, base_delay):
    last = None
    for k in range(attempts):
        try:
            return await fetch(url)
        except ConnectionError as exc:
            last = exc
        if k < attempts - 1:
            until = time.monotonic() + base_delay * 2**k
            await asyncio.sleep(max(0.0, until - time.monotonic()))
    raise last
