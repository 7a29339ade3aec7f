"""No locks: an asyncio.Condition over the set of accounts in use."""

import asyncio


class Bank:
    def __init__(self, store):
        self.store = store
        self.busy = set()
        self.cond = asyncio.Condition()

    async def transfer(self, src, dst, amount):
        async with self.cond:
            await self.cond.wait_for(lambda: src not in self.busy and dst not in self.busy)
            self.busy |= {src, dst}
        try:
            balance = await self.store.get(src)
            if balance < amount:
                raise ValueError(f"{src} has only {balance}")
            target = await self.store.get(dst)
            await self.store.set(src, balance - amount)
            await self.store.set(dst, target + amount)
        finally:
            async with self.cond:
                self.busy -= {src, dst}
                self.cond.notify_all()
