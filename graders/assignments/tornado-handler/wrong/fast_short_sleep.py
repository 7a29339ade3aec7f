# fails: no-blocking
"""/fast blocks for 50 ms each time (a synchronous cache lookup, say): short enough that /fast is
still answered at once in virtual time, but four of them keep the loop blocked for 0.2 s."""

import time

import tornado.web


class SlowHandler(tornado.web.RequestHandler):
    async def get(self, n):
        self.write(await self.settings["backend"].slow(int(n)))


class FastHandler(tornado.web.RequestHandler):
    def get(self):
        time.sleep(0.05)
        self.write("ok")


def make_app(backend) -> tornado.web.Application:
    return tornado.web.Application(
        [(r"/slow/(\d+)", SlowHandler), (r"/fast", FastHandler)], backend=backend
    )
