import tornado.web


class SlowHandler(tornado.web.RequestHandler):
    async def get(self, n):
        self.write(await self.settings["backend"].slow(int(n)))


class FastHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("ok")


def make_app(backend) -> tornado.web.Application:
    return tornado.web.Application(
        [(r"/slow/(\d+)", SlowHandler), (r"/fast", FastHandler)], backend=backend
    )
