"""threading.Thread per path, results set on loop futures with call_soon_threadsafe."""

import asyncio
import threading


async def read_all(paths, read_blocking):
    loop = asyncio.get_running_loop()
    futures = [loop.create_future() for _ in paths]

    def work(p, fut):
        try:
            value = read_blocking(p)
        except BaseException as exc:
            loop.call_soon_threadsafe(fut.set_exception, exc)
        else:
            loop.call_soon_threadsafe(fut.set_result, value)

    for p, fut in zip(paths, futures, strict=True):
        threading.Thread(target=work, args=(p, fut), daemon=True).start()
    return [await f for f in futures]
