"""No semaphore and no workers: each fetch's done-callback starts the next URL."""

import asyncio


async def fetch_bounded(urls, fetch, limit):
    if limit < 1:
        raise ValueError("limit")
    loop = asyncio.get_running_loop()
    out = [None] * len(urls)
    done = loop.create_future()
    state = {"next": 0, "left": len(urls)}
    if not urls:
        return []

    def start():
        i = state["next"]
        state["next"] += 1
        t = asyncio.ensure_future(fetch(urls[i]))
        t.add_done_callback(lambda t, i=i: finished(i, t))

    def finished(i, t):
        if done.done():
            return
        if t.exception():
            done.set_exception(t.exception())
            return
        out[i] = t.result()
        state["left"] -= 1
        if state["next"] < len(urls):
            start()
        elif state["left"] == 0:
            done.set_result(out)

    for _ in range(min(limit, len(urls))):
        start()
    return await done
