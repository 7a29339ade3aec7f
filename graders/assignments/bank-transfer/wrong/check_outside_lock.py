# fails: no-overdraft
"""Checks the balance before taking the locks: two transfers both pass the check."""

import asyncio


class Bank:
    def __init__(self, store):
        self.store = store
        self.locks = {}

    def _lock(self, account):
        return self.locks.setdefault(account, asyncio.Lock())

    async def transfer(self, src, dst, amount):
        if await self.store.get(src) < amount:
            raise ValueError("insufficient funds")
        first, second = sorted((src, dst))
        async with self._lock(first), self._lock(second):
            balance = await self.store.get(src)
            target = await self.store.get(dst)
            await self.store.set(src, balance - amount)
            await self.store.set(dst, target + amount)
