"""The callbacks put the outcome in an asyncio.Queue."""

import asyncio


async def cook(kitchen, dish):
    q = asyncio.Queue()
    accepted = kitchen.start(
        dish, lambda m: q.put_nowait((True, m)), lambda e: q.put_nowait((False, e))
    )
    if not accepted:
        raise RuntimeError(f"{dish} refused")
    ok, value = await q.get()
    if not ok:
        raise value
    return value
