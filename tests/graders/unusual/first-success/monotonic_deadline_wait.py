"""A deadline taken with time.monotonic() (as loop.time() is in asyncio), asyncio.wait with the
time left."""

import asyncio
import time


async def first_success(urls, fetch, timeout):
    deadline = time.monotonic() + timeout
    pending = {asyncio.ensure_future(fetch(u)) for u in urls}
    error = None
    try:
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError()
            done, pending = await asyncio.wait(
                pending, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
            if not done:
                raise TimeoutError()
            for t in done:
                if t.exception() is None:
                    return t.result()
                error = t.exception()
        raise error
    finally:
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
