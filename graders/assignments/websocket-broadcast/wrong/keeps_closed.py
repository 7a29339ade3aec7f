# fails: cleanup
"""Never forgets a client: after one leaves, write_message raises WebSocketClosedError inside
on_message, and Tornado drops the sender."""

import tornado.web
import tornado.websocket

CLIENTS = set()


class ChatHandler(tornado.websocket.WebSocketHandler):
    def open(self):
        CLIENTS.add(self)

    def on_message(self, message):
        for client in CLIENTS:
            client.write_message(message)


def make_app():
    return tornado.web.Application([(r"/chat", ChatHandler)])
