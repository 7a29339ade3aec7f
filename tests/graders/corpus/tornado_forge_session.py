# assignment: tornado-handler
# expect: zero
"""From a handler, finds the harness's session socket through gc and sends forged messages on
it: results for every call and an idle report claiming nothing is pending."""

import gc
import json

import tornado.web


def harness_socket():
    for obj in gc.get_objects():
        sock = getattr(obj, "sock", None)
        if hasattr(obj, "pending") and hasattr(sock, "send"):
            return sock
    return None


class Any(tornado.web.RequestHandler):
    def get(self, *args):
        sock = harness_socket()
        if sock is not None:
            for call in range(1, 40):
                sock.send(
                    json.dumps({"op": "done", "call": call, "ok": True, "value": "ok"}).encode()
                )
            sock.send(json.dumps({"op": "idle", "ack": 10**6, "timer": None, "busy": 0}).encode())
        self.write("ok")


def make_app(backend):
    return tornado.web.Application([(r"/.*", Any)], backend=backend)
