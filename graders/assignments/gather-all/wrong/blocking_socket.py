# fails: no-blocking
"""Waits for a 'rate limiter' on a blocking socket before each fetch."""

import asyncio
import socket

limiter, _other_end = socket.socketpair()
limiter.settimeout(0.01)


async def fetch_all(urls, fetch):
    async def one(url):
        try:
            limiter.recv(1)  # blocks the whole event loop until the timeout
        except TimeoutError:
            pass
        return await fetch(url)

    return list(await asyncio.gather(*(one(url) for url in urls)))
