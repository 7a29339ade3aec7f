"""pipeline: handle every item of an async stream with bounded workers and backpressure.

Write `process_all(source, handle, workers, maxsize)`: at most `workers` handles at once, never
more than `maxsize` items taken but not started, results in source order, and on an error stop,
cancel and raise it. See the statement for every rule.
"""

import asyncio


async def process_all(source, handle, workers: int, maxsize: int) -> list:
    raise NotImplementedError("a reader, `workers` workers, and backpressure")
