# assignment: gather-all
# expect: zero
"""Finds the harness objects through gc.get_objects and sends forged messages on their socket:
an early 'done' with invented bodies, and an idle report claiming nothing is pending."""

import gc
import json


def harness_socket():
    for obj in gc.get_objects():
        sock = getattr(obj, "sock", None)
        if hasattr(obj, "pending") and hasattr(sock, "send"):
            return sock
    return None


async def fetch_all(urls, fetch):
    sock = harness_socket()
    if sock is not None:
        forged = [{"$b": "AAAAAAAAAAAAAAAAAAAAAA=="} for _ in urls]
        for call in range(1, 50):
            sock.send(
                json.dumps({"op": "done", "call": call, "ok": True, "value": forged}).encode()
            )
        sock.send(json.dumps({"op": "idle", "ack": 10**9, "timer": None, "busy": 0}).encode())
    return [await fetch(url) for url in urls]
