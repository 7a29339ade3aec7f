# fails: slow-client
"""Gives each client a bounded backlog and drops messages for a client that has eight writes
still pending ("it is too slow anyway"): nobody else is delayed, but the slow client loses
messages although it is still connected."""

import tornado.web
import tornado.websocket

CLIENTS = set()
BACKLOG = 8


class ChatHandler(tornado.websocket.WebSocketHandler):
    def open(self):
        CLIENTS.add(self)
        self.pending = []

    def on_close(self):
        CLIENTS.discard(self)

    def on_message(self, message):
        for client in list(CLIENTS):
            client.pending = [f for f in client.pending if not f.done()]
            if len(client.pending) >= BACKLOG:
                continue
            try:
                client.pending.append(client.write_message(message))
            except tornado.websocket.WebSocketClosedError:
                CLIENTS.discard(client)


def make_app():
    return tornado.web.Application([(r"/chat", ChatHandler)])
