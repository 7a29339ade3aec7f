"""asyncio.wait(FIRST_COMPLETED) in a loop with a deadline on loop.time()."""

import asyncio


async def first_success(urls, fetch, timeout):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pending = {asyncio.ensure_future(fetch(u)) for u in urls}
    error = None
    try:
        while pending:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            done, pending = await asyncio.wait(
                pending, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
            for t in done:
                if t.exception() is None:
                    return t.result()
                error = t.exception()
            if not done:
                break
        if pending:
            raise TimeoutError()
        raise error
    finally:
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
