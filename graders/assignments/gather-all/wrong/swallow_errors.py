# fails: errors
"""return_exceptions=True: a failing fetch ends up as an item of the result instead of raising."""

import asyncio


async def fetch_all(urls, fetch):
    return list(await asyncio.gather(*(fetch(url) for url in urls), return_exceptions=True))
