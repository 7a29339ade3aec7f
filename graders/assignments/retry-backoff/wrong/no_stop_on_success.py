# fails: succeeds, backoff
"""Keeps calling after a success (no return or break inside the loop): every attempt is used."""

import asyncio


async def fetch_with_retry(url, fetch, attempts, base_delay):
    body = None
    for k in range(attempts):
        try:
            body = await fetch(url)
        except ConnectionError:
            if k == attempts - 1:
                raise
            await asyncio.sleep(base_delay * 2**k)
    return body
