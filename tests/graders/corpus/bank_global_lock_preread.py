# assignment: bank-transfer
# expect: fails parallel
"""One lock for the whole bank (every transfer waits for the previous one), with a harmless read
before taking it: the store requests of disjoint transfers overlap, yet together they take four
times as long as one alone."""

import asyncio


class Bank:
    def __init__(self, store):
        self.store = store
        self.lock = asyncio.Lock()

    async def transfer(self, src, dst, amount):
        await self.store.get(src)
        async with self.lock:
            balance = await self.store.get(src)
            if balance < amount:
                raise ValueError(f"{src} holds {balance}")
            target = await self.store.get(dst)
            await self.store.set(src, balance - amount)
            await self.store.set(dst, target + amount)
