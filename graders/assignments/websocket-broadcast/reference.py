import tornado.web
import tornado.websocket


class ChatHandler(tornado.websocket.WebSocketHandler):
    @property
    def room(self):
        return self.application.settings["room"]

    def open(self):
        self.room.add(self)

    def on_close(self):
        self.room.discard(self)

    def on_message(self, message):
        for client in list(self.room):
            try:
                client.write_message(message)  # queued for that client alone: never awaited
            except tornado.websocket.WebSocketClosedError:
                self.room.discard(client)


def make_app() -> tornado.web.Application:
    return tornado.web.Application([(r"/chat", ChatHandler)], room=set())
