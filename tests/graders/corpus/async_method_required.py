# assignment: bank-transfer
# expect: rejected method-not-async
class Bank:
    def __init__(self, store):
        self.store = store

    def transfer(self, src, dst, amount):
        pass
