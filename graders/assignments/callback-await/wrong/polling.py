# fails: no-polling
"""Checks a flag every 10 ms: right answers, but the loop wakes a hundred times a second."""

import asyncio


async def cook(kitchen, dish):
    box = {}

    def on_done(meal):
        box["meal"] = meal

    def on_error(exc):
        box["error"] = exc

    if not kitchen.start(dish, on_done, on_error):
        raise RuntimeError("refused")
    while not box:
        await asyncio.sleep(0.01)
    if "error" in box:
        raise box["error"]
    return box["meal"]
