# assignment: gather-all
# expect: error import-raised
import asyncio

SETTINGS = {"retries": 3}
RETRIES = SETTINGS["retry"]


async def fetch_all(urls, fetch):
    return list(await asyncio.gather(*map(fetch, urls)))
