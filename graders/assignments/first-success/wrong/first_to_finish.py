# fails: fastest, timeout, all-fail
"""Takes the first fetch to finish, even when it failed."""

import asyncio


async def first_success(urls, fetch, timeout):
    tasks = [asyncio.ensure_future(fetch(url)) for url in urls]
    try:
        done, _pending = await asyncio.wait(
            tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if not done:
            raise TimeoutError
        return done.pop().result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
