# fails: conserves
"""No locking at all: two transfers can read the same balance before either writes it back."""


class Bank:
    def __init__(self, store):
        self.store = store

    async def transfer(self, src, dst, amount):
        balance = await self.store.get(src)
        if balance < amount:
            raise ValueError("insufficient funds")
        await self.store.set(src, balance - amount)
        target = await self.store.get(dst)
        await self.store.set(dst, target + amount)
