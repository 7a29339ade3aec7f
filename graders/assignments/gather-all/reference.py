"""gather-all, reference solution."""

import asyncio


async def fetch_all(urls: list[str], fetch) -> list[bytes]:
    return list(await asyncio.gather(*(fetch(url) for url in urls)))
