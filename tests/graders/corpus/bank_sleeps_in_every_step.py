# assignment: bank-transfer
# expect: fails conserves, no-overdraft, no-deadlock, parallel
"""Correct locking, but time.sleep(0.2) around every store call: each scenario takes most of a
second of real time where correct code needs milliseconds. After three such scenarios the rest
are skipped, instead of holding the worker for a minute and a half."""

import asyncio, time


class Bank:
    def __init__(self, store):
        self.store = store
        self.locks = {}

    async def transfer(self, src, dst, amount):
        a, b = sorted((src, dst))
        la = self.locks.setdefault(a, asyncio.Lock())
        lb = self.locks.setdefault(b, asyncio.Lock())
        async with la, lb:
            time.sleep(0.2)
            balance = await self.store.get(src)
            time.sleep(0.2)
            if balance < amount:
                raise ValueError("no")
            target = await self.store.get(dst)
            time.sleep(0.2)
            await self.store.set(src, balance - amount)
            await self.store.set(dst, target + amount)
