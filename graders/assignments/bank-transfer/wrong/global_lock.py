# fails: parallel
"""One lock for the whole bank: safe, but transfers between unrelated accounts wait in line."""

import asyncio


class Bank:
    def __init__(self, store):
        self.store = store
        self.lock = asyncio.Lock()

    async def transfer(self, src, dst, amount):
        async with self.lock:
            balance = await self.store.get(src)
            if balance < amount:
                raise ValueError("insufficient funds")
            target = await self.store.get(dst)
            await self.store.set(src, balance - amount)
            await self.store.set(dst, target + amount)
