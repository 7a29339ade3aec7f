"""A concurrent.futures.Future set by the callbacks, awaited through asyncio.wrap_future."""

import asyncio
import concurrent.futures


async def cook(kitchen, dish):
    fut = concurrent.futures.Future()
    if not kitchen.start(dish, fut.set_result, fut.set_exception):
        raise RuntimeError("no")
    return await asyncio.wrap_future(fut)
