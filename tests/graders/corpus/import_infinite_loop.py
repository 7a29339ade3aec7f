# assignment: gather-all
# expect: error import-timeout
while True:
    pass


async def fetch_all(urls, fetch):
    return []
