# fails: refused
"""Ignores what start returned: after a refusal it waits for a callback that never comes."""

import asyncio


async def cook(kitchen, dish):
    meal = asyncio.get_running_loop().create_future()
    kitchen.start(dish, meal.set_result, meal.set_exception)
    return await meal
