"""Handler classes defined inside make_app close over backend; a named group in the route; /fast
flushes explicitly."""

import tornado.web


def make_app(backend):
    class Slow(tornado.web.RequestHandler):
        async def get(self, n):
            value = await backend.slow(int(n))
            self.set_header("Content-Type", "text/plain")
            self.write(value)

    class Fast(tornado.web.RequestHandler):
        async def get(self):
            self.write("ok")
            await self.flush()

    return tornado.web.Application([(r"/slow/(?P<n>\d+)", Slow), (r"/fast/?", Fast)])
