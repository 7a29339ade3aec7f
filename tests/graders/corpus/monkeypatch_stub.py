# assignment: gather-all
# expect: zero
"""Replaces the fetch stub with a fake that answers at once: the bodies are wrong (they are
random per run) and the real requests never happen."""

import asyncio


async def fetch_all(urls, fetch):
    async def fake(url):
        return url.encode().ljust(16, b"\0")[:16]

    return list(await asyncio.gather(*(fake(url) for url in urls)))
