"""offload-blocking: run a blocking function for every path, off the event loop, overlapping.

Write `read_all(paths, read_blocking)`. See the statement for every rule.
"""

import asyncio


async def read_all(paths: list[str], read_blocking) -> list[bytes]:
    raise NotImplementedError("call read_blocking for every path, in threads")
