import asyncio


async def first_success(urls: list[str], fetch, timeout: float) -> bytes:
    tasks = [asyncio.ensure_future(fetch(url)) for url in urls]
    try:
        async with asyncio.timeout(timeout):
            error = None
            for finished in asyncio.as_completed(tasks):
                try:
                    return await finished
                except Exception as exc:  # a failed fetch is not the answer: keep waiting
                    error = exc
            raise error
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
