# fails: fast-not-blocked, concurrent-slow
"""Serialises every request with one global asyncio.Lock ("to protect the backend"): slow
requests take turns, and /fast waits behind them."""

import asyncio

import tornado.web

LOCK = asyncio.Lock()


class SlowHandler(tornado.web.RequestHandler):
    async def get(self, n):
        async with LOCK:
            self.write(await self.settings["backend"].slow(int(n)))


class FastHandler(tornado.web.RequestHandler):
    async def get(self):
        async with LOCK:
            self.write("ok")


def make_app(backend):
    return tornado.web.Application(
        [(r"/slow/(\d+)", SlowHandler), (r"/fast", FastHandler)], backend=backend
    )
