# assignment: bounded-fetch
# expect: zero
"""Raises ValueError whatever `limit` is: it "validates" limits below 1 without doing anything."""


async def fetch_bounded(urls, fetch, limit):
    raise ValueError(f"bad limit {limit}")
