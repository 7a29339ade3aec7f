"""Old-style @gen.coroutine handlers with yield, the backend passed through initialize()."""

import tornado.web
from tornado import gen


class Slow(tornado.web.RequestHandler):
    def initialize(self, backend):
        self.backend = backend

    @gen.coroutine
    def get(self, n):
        result = yield self.backend.slow(int(n))
        self.finish(result)


class Fast(tornado.web.RequestHandler):
    def get(self):
        self.finish("ok")


def make_app(backend):
    return tornado.web.Application(
        [
            tornado.web.url(r"/slow/([0-9]+)", Slow, {"backend": backend}),
            tornado.web.url(r"/fast", Fast),
        ]
    )
