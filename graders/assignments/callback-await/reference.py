import asyncio


async def cook(kitchen, dish: str) -> str:
    meal = asyncio.get_running_loop().create_future()

    def on_done(value):
        if not meal.done():
            meal.set_result(value)

    def on_error(exc):
        if not meal.done():
            meal.set_exception(exc)

    if not kitchen.start(dish, on_done, on_error):
        raise RuntimeError(f"the kitchen refused to cook {dish}")
    return await meal
