# assignment: first-success
# expect: zero
"""Sleeps for `timeout` and raises TimeoutError, without asking any mirror."""

import asyncio


async def first_success(urls, fetch, timeout):
    await asyncio.sleep(timeout)
    raise TimeoutError
