# assignment: callback-await
# expect: fails no-polling
import asyncio

CALLS = 0


async def cook(kitchen, dish):
    """Waits on a future in the second call of the process (no-polling's scenario runs second),
    and polls every 0.1 s in every other one: polling is watched in every order that waits."""
    global CALLS
    CALLS += 1
    loop = asyncio.get_running_loop()
    meal = loop.create_future()
    box = {}

    def on_done(value):
        box["meal"] = value
        if not meal.done():
            meal.set_result(value)

    def on_error(exc):
        box["exc"] = exc
        if not meal.done():
            meal.set_exception(exc)

    if not kitchen.start(dish, on_done, on_error):
        raise RuntimeError("refused")
    if CALLS == 2:
        return await meal
    while not box:
        await asyncio.sleep(0.1)
    if "exc" in box:
        raise box["exc"]
    return box["meal"]
