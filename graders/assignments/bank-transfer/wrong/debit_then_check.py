# fails: correct, conserves, no-overdraft
"""Debits first and checks afterwards: a refused transfer leaves the source short (and
concurrent transfers can drive it below zero)."""

import asyncio


class Bank:
    def __init__(self, store):
        self.store = store
        self.locks = {}

    def _lock(self, account):
        return self.locks.setdefault(account, asyncio.Lock())

    async def transfer(self, src, dst, amount):
        first, second = sorted((src, dst))
        async with self._lock(first), self._lock(second):
            balance = await self.store.get(src)
            await self.store.set(src, balance - amount)
            if balance < amount:
                raise ValueError("insufficient funds")
            target = await self.store.get(dst)
            await self.store.set(dst, target + amount)
