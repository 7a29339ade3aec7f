# fails: off-loop, overlap
"""Calls the blocking function directly in the coroutine: blocks the event loop, one at a time."""


async def read_all(paths, read_blocking):
    return [read_blocking(path) for path in paths]
