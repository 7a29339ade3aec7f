"""Plain threads hand their results to an asyncio.Queue with call_soon_threadsafe."""

import asyncio
import threading


async def read_all(paths, read_blocking):
    loop = asyncio.get_running_loop()
    done = asyncio.Queue()

    def work(i, p):
        v = read_blocking(p)
        loop.call_soon_threadsafe(done.put_nowait, (i, v))

    for i, p in enumerate(paths):
        threading.Thread(target=work, args=(i, p)).start()
    out = [None] * len(paths)
    for _ in paths:
        i, v = await done.get()
        out[i] = v
    return out
