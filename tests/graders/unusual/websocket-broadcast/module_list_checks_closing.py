"""A module-level list of clients; closing connections are skipped and forgotten."""

import tornado.web
import tornado.websocket

CLIENTS = []


class Chat(tornado.websocket.WebSocketHandler):
    def open(self):
        CLIENTS.append(self)

    def on_close(self):
        if self in CLIENTS:
            CLIENTS.remove(self)

    def on_message(self, message):
        for c in list(CLIENTS):
            if c.ws_connection is None or c.ws_connection.is_closing():
                CLIENTS.remove(c)
                continue
            c.write_message(message)


def make_app():
    return tornado.web.Application([(r"/chat", Chat)])
