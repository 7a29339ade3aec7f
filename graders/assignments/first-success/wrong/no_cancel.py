# fails: cancels-rest
"""Returns the first success but leaves every other fetch running (as_completed alone does not
cancel anything)."""

import asyncio


async def first_success(urls, fetch, timeout):
    tasks = [asyncio.ensure_future(fetch(url)) for url in urls]
    async with asyncio.timeout(timeout):
        error = None
        for finished in asyncio.as_completed(tasks):
            try:
                return await finished
            except Exception as exc:
                error = exc
        raise error
