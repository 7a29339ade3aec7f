# fails: saturates
"""One fetch at a time: never more than `limit`, but slots stay empty."""


async def fetch_bounded(urls, fetch, limit):
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return [await fetch(url) for url in urls]
