"""bank-transfer, reference solution: one lock per account, taken in sorted order, held across
the check, the reads and the writes."""

import asyncio


class Bank:
    def __init__(self, store):
        self.store = store
        self.locks = {}

    def _lock(self, account):
        if account not in self.locks:
            self.locks[account] = asyncio.Lock()
        return self.locks[account]

    async def transfer(self, src: str, dst: str, amount: int) -> None:
        first, second = sorted((src, dst))
        async with self._lock(first), self._lock(second):
            balance = await self.store.get(src)
            if balance < amount:
                raise ValueError(f"{src} holds {balance}, cannot move {amount}")
            target = await self.store.get(dst)
            await self.store.set(src, balance - amount)
            await self.store.set(dst, target + amount)
