import asyncio


async def fetch_with_retry(url: str, fetch, attempts: int, base_delay: float) -> bytes:
    for k in range(attempts):
        try:
            return await fetch(url)
        except ConnectionError:
            if k == attempts - 1:
                raise
            await asyncio.sleep(base_delay * 2**k)
