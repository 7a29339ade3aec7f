# fails: cancels-rest
"""Cancels the other fetches but returns at once, while they are still cancelling."""

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
                    error = exc
            raise error
    finally:
        for task in tasks:
            task.cancel()  # ...and never waits for the tasks to finish
