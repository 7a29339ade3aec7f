# assignment: tornado-handler
# expect: zero
"""Does no real work: when the app is built it finds every socket the grader handed over and
writes canned HTTP responses on them (200 "ok" and made-up results) before any request came, then
serves nothing. The grader only accepts the right (random) results, arriving when they should."""

import os
import socket
import stat

import tornado.web

CANNED = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" * 3


def forge():
    for fd in range(3, 128):
        try:
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            s = socket.socket(fileno=fd)
        except OSError:
            continue
        try:
            if s.type == socket.SOCK_STREAM:
                s.setblocking(False)
                s.send(CANNED)
        except OSError:
            pass
        finally:
            s.detach()


class Nothing(tornado.web.RequestHandler):
    async def get(self, *args):
        await self.settings["backend"].slow(1)  # looks busy, answers nothing useful


def make_app(backend):
    forge()
    return tornado.web.Application([(r"/.*", Nothing)], backend=backend)
