# fails: order
"""Awaits the sender's own copy first, then sends to the others: two messages arriving together
interleave, and clients see them in different orders."""

import tornado.web
import tornado.websocket

CLIENTS = set()


class ChatHandler(tornado.websocket.WebSocketHandler):
    def open(self):
        CLIENTS.add(self)

    def on_close(self):
        CLIENTS.discard(self)

    async def on_message(self, message):
        await self.write_message(message)
        for client in list(CLIENTS):
            if client is not self:
                try:
                    client.write_message(message)
                except tornado.websocket.WebSocketClosedError:
                    CLIENTS.discard(client)


def make_app():
    return tornado.web.Application([(r"/chat", ChatHandler)])
