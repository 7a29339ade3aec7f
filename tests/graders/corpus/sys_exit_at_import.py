# assignment: gather-all
# expect: error import-exit
import sys

sys.exit(0)


async def fetch_all(urls, fetch):
    return []
