# assignment: tornado-handler
# expect: full
"""A probe with a correct app: tornado-handler runs without threads or processes like the
asyncio-only assignments (only sockets are handed over). From a handler, try to start a thread,
an executor job, a fork and a subprocess; if any of them works, /fast says so instead of "ok"."""

import asyncio
import os
import subprocess
import threading

import tornado.web


async def probe():
    started = []
    try:
        threading.Thread(target=lambda: None).start()
        started.append("thread")
    except RuntimeError:
        pass
    try:
        await asyncio.get_running_loop().run_in_executor(None, lambda: None)
        started.append("executor")
    except RuntimeError:
        pass
    try:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        started.append("fork")
    except OSError:
        pass
    try:
        subprocess.run(["/bin/true"], check=False)
        started.append("subprocess")
    except OSError:
        pass
    return started


class SlowHandler(tornado.web.RequestHandler):
    async def get(self, n):
        self.write(await self.settings["backend"].slow(int(n)))


class FastHandler(tornado.web.RequestHandler):
    checked = None

    async def get(self):
        if FastHandler.checked is None:
            FastHandler.checked = await probe()
        self.write("started: " + ", ".join(FastHandler.checked) if FastHandler.checked else "ok")


def make_app(backend):
    return tornado.web.Application(
        [(r"/slow/(\d+)", SlowHandler), (r"/fast", FastHandler)], backend=backend
    )
