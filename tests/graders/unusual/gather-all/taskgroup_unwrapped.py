"""asyncio.TaskGroup, with the fetch's own exception taken out of the ExceptionGroup."""

import asyncio


async def fetch_all(urls, fetch):
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(fetch(url)) for url in urls]
    except* Exception as errors:
        raise errors.exceptions[0] from None
    return [task.result() for task in tasks]
