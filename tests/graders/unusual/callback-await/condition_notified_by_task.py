"""An asyncio.Condition, notified by a task the callback schedules."""

import asyncio


async def cook(kitchen, dish):
    cond = asyncio.Condition()
    box = []
    pending = set()  # keeps the notifying task alive

    def deliver(item):
        box.append(item)

        async def notify():
            async with cond:
                cond.notify_all()

        pending.add(asyncio.ensure_future(notify()))

    if not kitchen.start(dish, lambda m: deliver(("ok", m)), lambda e: deliver(("err", e))):
        raise RuntimeError("refused")
    async with cond:
        await cond.wait_for(lambda: box)
    kind, value = box[0]
    if kind == "err":
        raise value
    return value
