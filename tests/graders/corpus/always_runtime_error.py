# assignment: callback-await
# expect: zero
"""Raises RuntimeError whatever the kitchen answers: a refusal "handled" without looking."""


async def cook(kitchen, dish):
    kitchen.start(dish, print, print)
    raise RuntimeError(f"{dish}: refused")
