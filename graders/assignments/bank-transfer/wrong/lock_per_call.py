# fails: conserves
"""A new Lock on every call protects nothing: each transfer has a lock of its own."""

import asyncio


class Bank:
    def __init__(self, store):
        self.store = store

    async def transfer(self, src, dst, amount):
        async with asyncio.Lock():
            balance = await self.store.get(src)
            if balance < amount:
                raise ValueError("insufficient funds")
            target = await self.store.get(dst)
            await self.store.set(src, balance - amount)
            await self.store.set(dst, target + amount)
