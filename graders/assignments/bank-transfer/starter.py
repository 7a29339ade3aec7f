"""bank-transfer: safe concurrent transfers between accounts of an async store.

Write the class `Bank`. See the statement for every rule.
"""

import asyncio


class Bank:
    def __init__(self, store):
        self.store = store

    async def transfer(self, src: str, dst: str, amount: int) -> None:
        raise NotImplementedError("move amount from src to dst, safely")
