# fails: refused, result, error, no-polling
"""Waits for a threading.Event in a worker thread and sets the future's result from there: not
thread-safe (set_result must run on the loop's thread), and threads are not available here.
Starting the thread raises RuntimeError on an accepted order, so a refusal's RuntimeError tells
nothing either (`refused` is judged against an accepted order too)."""

import asyncio
import threading


async def cook(kitchen, dish):
    loop = asyncio.get_running_loop()
    meal = loop.create_future()
    ready = threading.Event()
    box = {}

    def on_done(value):
        box["meal"] = value
        ready.set()

    def on_error(exc):
        box["error"] = exc
        ready.set()

    if not kitchen.start(dish, on_done, on_error):
        raise RuntimeError("refused")

    def wait():
        ready.wait()
        if "error" in box:
            meal.set_exception(box["error"])
        else:
            meal.set_result(box["meal"])

    threading.Thread(target=wait, daemon=True).start()
    return await meal
