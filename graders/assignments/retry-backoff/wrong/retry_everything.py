# fails: selective
"""`except Exception`: retries errors that retrying cannot fix."""

import asyncio


async def fetch_with_retry(url, fetch, attempts, base_delay):
    for k in range(attempts):
        try:
            return await fetch(url)
        except Exception:
            if k == attempts - 1:
                raise
            await asyncio.sleep(base_delay * 2**k)
