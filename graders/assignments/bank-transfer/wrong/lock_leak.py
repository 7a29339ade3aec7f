# fails: correct
"""Acquires the locks by hand and forgets to release them when refusing a transfer: the next
transfer on those accounts waits forever."""

import asyncio


class Bank:
    def __init__(self, store):
        self.store = store
        self.locks = {}

    def _lock(self, account):
        return self.locks.setdefault(account, asyncio.Lock())

    async def transfer(self, src, dst, amount):
        first, second = sorted((src, dst))
        await self._lock(first).acquire()
        await self._lock(second).acquire()
        balance = await self.store.get(src)
        if balance < amount:
            raise ValueError("insufficient funds")  # the locks stay held
        target = await self.store.get(dst)
        await self.store.set(src, balance - amount)
        await self.store.set(dst, target + amount)
        self._lock(second).release()
        self._lock(first).release()
