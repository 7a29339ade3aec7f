"""One future decided by done-callbacks, and loop.call_later for the timeout."""

import asyncio


async def first_success(urls, fetch, timeout):
    loop = asyncio.get_running_loop()
    winner = loop.create_future()
    tasks = [asyncio.ensure_future(fetch(u)) for u in urls]
    left = len(tasks)

    def done(t):
        nonlocal left
        left -= 1
        if winner.done() or t.cancelled():
            return
        if t.exception() is None:
            winner.set_result(t.result())
        elif left == 0:
            winner.set_exception(t.exception())

    for t in tasks:
        t.add_done_callback(done)
    handle = loop.call_later(timeout, lambda: winner.done() or winner.set_exception(TimeoutError()))
    try:
        return await winner
    finally:
        handle.cancel()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
