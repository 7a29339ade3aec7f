# fails: no-blocking
"""Sleeps a little with time.sleep in the slow handler ("to be gentle with the backend"): the
whole event loop stops each time."""

import time

import tornado.web


class SlowHandler(tornado.web.RequestHandler):
    async def get(self, n):
        time.sleep(0.02)
        self.write(await self.settings["backend"].slow(int(n)))


class FastHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("ok")


def make_app(backend):
    return tornado.web.Application(
        [(r"/slow/(\d+)", SlowHandler), (r"/fast", FastHandler)], backend=backend
    )
