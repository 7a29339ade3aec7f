# fails: all-fail
"""When every fetch fails, raises the first error instead of the last."""

import asyncio


async def first_success(urls, fetch, timeout):
    tasks = [asyncio.ensure_future(fetch(url)) for url in urls]
    try:
        async with asyncio.timeout(timeout):
            error = None
            for finished in asyncio.as_completed(tasks):
                try:
                    return await finished
                except Exception as exc:
                    error = error or exc
            raise error
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
