# fails: correct
"""Collects the contents as the threads finish, not in the order of paths."""

import asyncio


async def read_all(paths, read_blocking):
    tasks = [asyncio.create_task(asyncio.to_thread(read_blocking, p)) for p in paths]
    return [await done for done in asyncio.as_completed(tasks)]
