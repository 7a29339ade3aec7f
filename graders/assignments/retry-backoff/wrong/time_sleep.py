# fails: backoff
"""Waits with time.sleep: blocks the event loop, and no (virtual) time passes for anyone."""

import time


async def fetch_with_retry(url, fetch, attempts, base_delay):
    for k in range(attempts):
        try:
            return await fetch(url)
        except ConnectionError:
            if k == attempts - 1:
                raise
            time.sleep(base_delay * 2**k)
