"""An asyncio.Event and a dict for the outcome."""

import asyncio


async def cook(kitchen, dish):
    ready = asyncio.Event()
    box = {}

    def on_done(meal):
        box["meal"] = meal
        ready.set()

    def on_error(exc):
        box["exc"] = exc
        ready.set()

    if not kitchen.start(dish, on_done, on_error):
        raise RuntimeError("refused")
    await ready.wait()
    if "exc" in box:
        raise box["exc"]
    return box["meal"]
