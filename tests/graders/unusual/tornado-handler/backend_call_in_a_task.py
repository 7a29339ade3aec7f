"""The backend call runs in its own task, awaited by the handler."""

import asyncio

import tornado.web


class Slow(tornado.web.RequestHandler):
    async def get(self, n):
        task = asyncio.ensure_future(self.application.settings["backend"].slow(int(n)))
        self.write(await task)


class Fast(tornado.web.RequestHandler):
    def get(self):
        self.write(b"ok")


def make_app(backend):
    return tornado.web.Application([(r"/slow/(\d+)", Slow), (r"/fast", Fast)], backend=backend)
