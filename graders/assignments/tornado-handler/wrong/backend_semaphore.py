# fails: concurrent-slow
"""Lets only two requests talk to the backend at a time: /fast is fine, but slow requests queue."""

import asyncio

import tornado.web

BACKEND_SLOTS = asyncio.Semaphore(2)


class SlowHandler(tornado.web.RequestHandler):
    async def get(self, n):
        async with BACKEND_SLOTS:
            self.write(await self.settings["backend"].slow(int(n)))


class FastHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("ok")


def make_app(backend):
    return tornado.web.Application(
        [(r"/slow/(\d+)", SlowHandler), (r"/fast", FastHandler)], backend=backend
    )
