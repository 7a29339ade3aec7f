# assignment: gather-all
# expect: zero
"""Returns an enormous, deeply nested value."""


async def fetch_all(urls, fetch):
    value = []
    for _ in range(100_000):
        value = [value]
    return [value] * 10
