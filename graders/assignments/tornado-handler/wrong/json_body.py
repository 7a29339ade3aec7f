# fails: responses, concurrent-slow, no-blocking
"""Wraps the result in JSON ({"n": ..., "result": ...}): not what the client expects."""

import tornado.web


class SlowHandler(tornado.web.RequestHandler):
    async def get(self, n):
        self.write({"n": n, "result": await self.settings["backend"].slow(int(n))})


class FastHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("ok")


def make_app(backend):
    return tornado.web.Application(
        [(r"/slow/(\d+)", SlowHandler), (r"/fast", FastHandler)], backend=backend
    )
