"""callback-await: the notes' dinner story, from callbacks to await.

Write `cook(kitchen, dish)`: `kitchen.start(dish, on_done, on_error)` returns True or False at
once; later the kitchen calls `on_done(meal)` or `on_error(exc)`. Return the meal, raise the
error, raise RuntimeError when refused, and never poll. See the statement for every rule.
"""

import asyncio


async def cook(kitchen, dish: str) -> str:
    raise NotImplementedError("start cooking, then sleep until a callback wakes you")
