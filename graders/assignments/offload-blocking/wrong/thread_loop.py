# fails: overlap
"""Runs a second event loop with asyncio.run in a worker thread and calls the blocking function
from coroutines there: the main loop stays free, but the reads run one after another."""

import asyncio


async def read_all(paths, read_blocking):
    async def read_each():
        return [read_blocking(path) for path in paths]

    return await asyncio.to_thread(asyncio.run, read_each())
