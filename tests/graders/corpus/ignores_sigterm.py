# assignment: bounded-fetch
# expect: zero
"""Ignores SIGTERM and SIGINT, then sleeps forever on the real clock."""

import signal
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)


async def fetch_bounded(urls, fetch, limit):
    time.sleep(3600)
