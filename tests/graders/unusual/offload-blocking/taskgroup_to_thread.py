"""asyncio.to_thread in an asyncio.TaskGroup."""

import asyncio


async def read_all(paths, read_blocking):
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(asyncio.to_thread(read_blocking, p)) for p in paths]
    return [t.result() for t in tasks]
