# assignment: gather-all
# expect: zero
"""Sends idle reports whose next timer is not a finite number (an integer too large for a
float, NaN, -Infinity): once a crash of the grader itself (an ungradable submission, re-queued
for ever); now a protocol violation, like any malformed message."""

import asyncio
import gc


def harness():
    for obj in gc.get_objects():
        if hasattr(obj, "pending") and hasattr(getattr(obj, "sock", None), "send"):
            return obj
    return None


async def fetch_all(urls, fetch):
    session = harness()
    seq = str(session.seq).encode()
    for timer in (b"1" + b"0" * 400, b"NaN", b"-Infinity"):
        session.sock.send(b'{"op": "idle", "ack": %s, "timer": %s, "busy": 0}' % (seq, timer))
    return list(await asyncio.gather(*map(fetch, urls)))
