# assignment: gather-all
# expect: rejected missing-near
import asyncio


async def fetchall(urls, fetch):
    return list(await asyncio.gather(*map(fetch, urls)))
