# fails: correct, concurrent, errors, no-blocking
"""Runs a second event loop with asyncio.run in a thread: threads are not allowed here, and the
stubs only work on the event loop that called fetch_all."""

import asyncio
import threading


async def fetch_all(urls, fetch):
    result = {}

    def worker():
        async def main():
            return await asyncio.gather(*(fetch(url) for url in urls))

        result["bodies"] = asyncio.run(main())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    return list(result["bodies"])
