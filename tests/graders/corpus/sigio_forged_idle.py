# assignment: gather-all
# expect: fails no-blocking
"""Blocks the loop with time.sleep(0.3) in every call and hides it without a thread: it reports
idle itself first, then a SIGIO handler answers every message of the grader (applying it, and
reporting idle with a timer just ahead) while the loop thread sleeps. Each step looks like
microseconds of work; the kernel shows the loop thread in clock_nanosleep, not in its
epoll_wait, so the grader keeps counting until it really is idle."""

import asyncio, fcntl, gc, json, os, signal, socket, time


def harness():
    for obj in gc.get_objects():
        if hasattr(obj, "pending") and hasattr(getattr(obj, "sock", None), "send"):
            return obj


S = None


def on_sigio(signum, frame):
    while True:
        try:
            data, fds, _f, _a = socket.recv_fds(S.sock, 1 << 17, 64, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        S.sockets.extend(socket.socket(fileno=fd) for fd in fds)
        msg = json.loads(data)
        S.handle(msg)
        S.sock.send(
            json.dumps(
                {"op": "idle", "ack": S.seq, "timer": S.loop.time() + 1e-12, "busy": 0}
            ).encode()
        )


def arm():
    global S
    if S is None:
        S = harness()
        signal.signal(signal.SIGIO, on_sigio)
        fcntl.fcntl(S.sock.fileno(), fcntl.F_SETOWN, os.getpid())
        flags = fcntl.fcntl(S.sock.fileno(), fcntl.F_GETFL)
        fcntl.fcntl(S.sock.fileno(), fcntl.F_SETFL, flags | os.O_ASYNC)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGIO})


async def fetch_all(urls, fetch):
    arm()
    tasks = [asyncio.ensure_future(fetch(u)) for u in urls]
    await asyncio.sleep(0)
    S._flush()  # the requests reach the grader now
    S.sock.send(
        json.dumps({"op": "idle", "ack": S.seq, "timer": S.loop.time() + 1e-12, "busy": 0}).encode()
    )
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGIO})
    time.sleep(0.3)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGIO})
    return [await t for t in tasks]
