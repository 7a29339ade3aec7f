# assignment: tornado-handler
# expect: zero
"""Answers "ok" to every request at once and never calls the backend: /fast is never delayed by
/slow requests that do not wait for anything, which used to earn fast-not-blocked."""

import tornado.web


class Ok(tornado.web.RequestHandler):
    def get(self, *args):
        self.write("ok")


def make_app(backend):
    return tornado.web.Application([(r"/.*", Ok)])
