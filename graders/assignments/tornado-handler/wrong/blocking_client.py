# fails: no-blocking
"""Fetches a feature flag with a synchronous client the first time /fast is asked for (a
blocking socket read with a timeout, which is what requests.get does inside): meanwhile the
whole event loop waits."""

import socket

import tornado.web

flags, _server = socket.socketpair()
flags.settimeout(0.3)
CACHE = {}


def feature_enabled():
    if "fast-path" not in CACHE:
        try:
            flags.sendall(b"GET fast-path\n")
            CACHE["fast-path"] = flags.recv(64) != b"off"  # nobody answers: blocks 0.3 s
        except TimeoutError:
            CACHE["fast-path"] = True
    return CACHE["fast-path"]


class SlowHandler(tornado.web.RequestHandler):
    async def get(self, n):
        self.write(await self.settings["backend"].slow(int(n)))


class FastHandler(tornado.web.RequestHandler):
    def get(self):
        if feature_enabled():
            self.write("ok")


def make_app(backend):
    return tornado.web.Application(
        [(r"/slow/(\d+)", SlowHandler), (r"/fast", FastHandler)], backend=backend
    )
