# fails: correct
"""Returns the bodies in the order they arrive (asyncio.as_completed), not the order of urls."""

import asyncio


async def fetch_all(urls, fetch):
    return [await body for body in asyncio.as_completed([fetch(url) for url in urls])]
