"""websocket-broadcast: a chat room at /chat.

Write `make_app()`: every message from any client goes to every connected client (sender
included) in the order received; closed clients are forgotten; a slow client delays nobody. See
the statement for every rule.
"""

import tornado.web
import tornado.websocket


def make_app() -> tornado.web.Application:
    raise NotImplementedError("a WebSocketHandler at /chat that broadcasts every message")
