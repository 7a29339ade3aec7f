# fails: broadcast, order, cleanup, slow-client
"""Sends each message to everyone but the sender."""

import tornado.web
import tornado.websocket

CLIENTS = set()


class ChatHandler(tornado.websocket.WebSocketHandler):
    def open(self):
        CLIENTS.add(self)

    def on_close(self):
        CLIENTS.discard(self)

    def on_message(self, message):
        for client in list(CLIENTS):
            if client is not self:
                client.write_message(message)


def make_app():
    return tornado.web.Application([(r"/chat", ChatHandler)])
