import asyncio

# assignment: callback-await
# expect: fails result, error, no-polling
"""Polls every 0.1 s and patches the harness's loop so that its idle reports leave the timers
out: the grader jumps straight to the kitchen's callback. Timers still fire when time passes
them, and the callback arrives in a step of its own once they have: the poller then sleeps
until a timer it did not report, and waits for ever."""


async def cook(kitchen, dish):
    loop = asyncio.get_running_loop()
    type(loop).next_timer = lambda self: None
    box = {}
    if not kitchen.start(
        dish, lambda m: box.setdefault("meal", m), lambda e: box.setdefault("exc", e)
    ):
        raise RuntimeError("refused")
    while not box:
        await asyncio.sleep(0.1)
    if "exc" in box:
        raise box["exc"]
    return box["meal"]
