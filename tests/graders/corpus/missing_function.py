# assignment: gather-all
# expect: rejected missing
import asyncio


async def main(urls, fetch):
    return await asyncio.gather(*map(fetch, urls))
