# assignment: gather-all
# expect: error import-crashed
import os

print('{"score": 12, "max_score": 12, "status": "graded", "tests": []}', flush=True)
os._exit(0)


async def fetch_all(urls, fetch):
    return []
