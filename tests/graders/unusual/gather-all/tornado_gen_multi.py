"""Tornado's gen.multi on the asyncio loop."""

from tornado import gen


async def fetch_all(urls, fetch):
    return list(await gen.multi([fetch(u) for u in urls]))
