"""tornado.gen.sleep, which schedules with IOLoop.time() (time.time())."""

from tornado import gen


async def fetch_with_retry(url, fetch, attempts, base_delay):
    for k in range(attempts):
        try:
            return await fetch(url)
        except ConnectionError:
            if k == attempts - 1:
                raise
            await gen.sleep(base_delay * 2**k)
