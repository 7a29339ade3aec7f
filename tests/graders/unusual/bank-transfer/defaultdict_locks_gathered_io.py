"""defaultdict(asyncio.Lock), acquired in sorted order by hand; both reads and both writes
gathered."""

import asyncio
from collections import defaultdict


class Bank:
    def __init__(self, store):
        self.store = store
        self.locks = defaultdict(asyncio.Lock)

    async def transfer(self, src, dst, amount):
        for name in sorted({src, dst}):
            await self.locks[name].acquire()
        try:
            a, b = await asyncio.gather(self.store.get(src), self.store.get(dst))
            if a < amount:
                raise ValueError("insufficient funds")
            await asyncio.gather(self.store.set(src, a - amount), self.store.set(dst, b + amount))
        finally:
            for name in sorted({src, dst}, reverse=True):
                self.locks[name].release()
