# fails: bounded
"""Takes an item, handles it, takes the next: bounded and ordered, but one handle at a time."""


async def process_all(source, handle, workers, maxsize):
    return [await handle(item) async for item in source]
