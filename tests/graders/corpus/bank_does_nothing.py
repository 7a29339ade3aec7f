# assignment: bank-transfer
# expect: zero
"""A transfer that only checks the balance and writes nothing: it never overdraws and never
deadlocks, which used to earn those checks."""


class Bank:
    def __init__(self, store):
        self.store = store

    async def transfer(self, src, dst, amount):
        if await self.store.get(src) < amount:
            raise ValueError("insufficient funds")
