"""loop.create_future() per URL, filled from done-callbacks of the fetch tasks."""

import asyncio


async def fetch_all(urls, fetch):
    loop = asyncio.get_running_loop()
    results = [loop.create_future() for _ in urls]

    def relay(task, fut):
        if task.exception() is not None:
            fut.set_exception(task.exception())
        else:
            fut.set_result(task.result())

    for u, fut in zip(urls, results, strict=True):
        t = asyncio.ensure_future(fetch(u))
        t.add_done_callback(lambda task, fut=fut: relay(task, fut))
    return [await f for f in results]
