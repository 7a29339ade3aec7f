# assignment: gather-all
# expect: zero
"""A CPU loop that never yields: every scenario hits its deadline; after two, the rest are
skipped rather than waited for."""


async def fetch_all(urls, fetch):
    while True:
        pass
