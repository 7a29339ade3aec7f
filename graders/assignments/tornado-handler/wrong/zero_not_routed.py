# fails: responses
"""Routes only positive numbers (`[1-9][0-9]*`): GET /slow/0 gets 404."""

import tornado.web


class SlowHandler(tornado.web.RequestHandler):
    async def get(self, n):
        self.write(await self.settings["backend"].slow(int(n)))


class FastHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("ok")


def make_app(backend):
    return tornado.web.Application(
        [(r"/slow/([1-9][0-9]*)", SlowHandler), (r"/fast", FastHandler)], backend=backend
    )
