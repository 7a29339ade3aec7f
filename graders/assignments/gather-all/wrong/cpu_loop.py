# fails: no-blocking
"""Checksums every body in a pure-Python loop on the event loop thread."""

import asyncio


def checksum(body):
    total = 0
    for _ in range(10_000):
        for byte in body:
            total = (total * 31 + byte) % 1_000_003
    return total


async def fetch_all(urls, fetch):
    async def one(url):
        body = await fetch(url)
        checksum(body)
        return body

    return list(await asyncio.gather(*(one(url) for url in urls)))
