"""retry-backoff: retry on ConnectionError with exponential backoff.

Write `fetch_with_retry(url, fetch, attempts, base_delay)`: call `await fetch(url)`; on
ConnectionError wait `base_delay * 2**k` seconds before retry k+1, at most `attempts` calls in
all. See the statement for every rule.
"""

import asyncio


async def fetch_with_retry(url: str, fetch, attempts: int, base_delay: float) -> bytes:
    raise NotImplementedError("call fetch; on ConnectionError wait and try again")
