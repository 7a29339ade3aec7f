"""Tasks carry their index through asyncio.as_completed; the bodies are put back in order."""

import asyncio


async def fetch_all(urls, fetch):
    async def one(i, u):
        return i, await fetch(u)

    out = [None] * len(urls)
    for fut in asyncio.as_completed([one(i, u) for i, u in enumerate(urls)]):
        i, body = await fut
        out[i] = body
    return out
