# fails: no-deadlock
"""Locks the source, reads it, then locks the destination: A->B and B->A wait for each other."""

import asyncio
from collections import defaultdict


class Bank:
    def __init__(self, store):
        self.store = store
        self.locks = defaultdict(asyncio.Lock)

    async def transfer(self, src, dst, amount):
        async with self.locks[src]:
            balance = await self.store.get(src)
            if balance < amount:
                raise ValueError("insufficient funds")
            async with self.locks[dst]:
                target = await self.store.get(dst)
                await self.store.set(src, balance - amount)
                await self.store.set(dst, target + amount)
