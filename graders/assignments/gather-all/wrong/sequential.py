# fails: concurrent
"""Sequential awaits: correct bodies, but one request at a time (10 s instead of 1 s)."""


async def fetch_all(urls, fetch):
    bodies = []
    for url in urls:
        bodies.append(await fetch(url))
    return bodies
