# fails: slow-client
"""Awaits each client's write in turn: a client that stops reading holds up the broadcast, and
Tornado reads nothing more from a sender until its on_message coroutine is done."""

import tornado.web
import tornado.websocket

CLIENTS = set()


class ChatHandler(tornado.websocket.WebSocketHandler):
    def open(self):
        CLIENTS.add(self)

    def on_close(self):
        CLIENTS.discard(self)

    async def on_message(self, message):
        for client in list(CLIENTS):
            try:
                await client.write_message(message)
            except tornado.websocket.WebSocketClosedError:
                CLIENTS.discard(client)


def make_app():
    return tornado.web.Application([(r"/chat", ChatHandler)])
