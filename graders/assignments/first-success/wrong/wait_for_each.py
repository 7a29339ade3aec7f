# fails: timeout
"""asyncio.wait_for around each awaited fetch: the timeout starts again after every failure, so
it no longer bounds the whole call."""

import asyncio


async def first_success(urls, fetch, timeout):
    tasks = [asyncio.ensure_future(fetch(url)) for url in urls]
    try:
        error = None
        for finished in asyncio.as_completed(tasks):
            try:
                return await asyncio.wait_for(finished, timeout)
            except TimeoutError:
                raise
            except Exception as exc:
                error = exc
        raise error
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
