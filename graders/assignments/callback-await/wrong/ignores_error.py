# fails: error
"""Only listens for on_done: when the kitchen gives up, cook waits forever."""

import asyncio


async def cook(kitchen, dish):
    meal = asyncio.get_running_loop().create_future()
    if not kitchen.start(dish, meal.set_result, lambda exc: print("kitchen:", exc)):
        raise RuntimeError("refused")
    return await meal
