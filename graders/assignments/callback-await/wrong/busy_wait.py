# fails: result, error, no-polling
"""Spins with asyncio.sleep(0): the event loop never rests, so the kitchen's callback (which
comes later) is never delivered."""

import asyncio


async def cook(kitchen, dish):
    box = {}
    if not kitchen.start(dish, lambda meal: box.update(meal=meal), lambda e: box.update(error=e)):
        raise RuntimeError("refused")
    while not box:
        await asyncio.sleep(0)
    if "error" in box:
        raise box["error"]
    return box["meal"]
