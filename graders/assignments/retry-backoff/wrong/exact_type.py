# fails: selective
"""Compares the exact type, so subclasses of ConnectionError are not retried."""

import asyncio


async def fetch_with_retry(url, fetch, attempts, base_delay):
    for k in range(attempts):
        try:
            return await fetch(url)
        except Exception as exc:
            if type(exc) is not ConnectionError or k == attempts - 1:
                raise
            await asyncio.sleep(base_delay * 2**k)
