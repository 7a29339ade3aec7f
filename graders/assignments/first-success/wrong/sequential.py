# fails: fastest, all-fail
"""Tries the URLs one after another: right bodies, but not the first to succeed in time, and
the 'last' error is the last URL's."""

import asyncio


async def first_success(urls, fetch, timeout):
    async with asyncio.timeout(timeout):
        error = None
        for url in urls:
            try:
                return await fetch(url)
            except Exception as exc:
                error = exc
        raise error
