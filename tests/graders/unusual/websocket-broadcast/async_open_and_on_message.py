"""async open() and on_message(), clients in a list in the application's settings."""

import contextlib

import tornado.web
import tornado.websocket


class Chat(tornado.websocket.WebSocketHandler):
    async def open(self):
        self.settings["room"].append(self)

    def on_close(self):
        room = self.settings["room"]
        if self in room:
            room.remove(self)

    async def on_message(self, message):
        for c in tuple(self.settings["room"]):
            with contextlib.suppress(tornado.websocket.WebSocketClosedError):
                c.write_message(message)


def make_app():
    return tornado.web.Application([(r"/chat", Chat)], room=[])
