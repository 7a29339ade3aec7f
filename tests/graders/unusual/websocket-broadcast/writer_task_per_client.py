"""A writer task and an asyncio.Queue per client: a slow client only holds up its own writer."""

import asyncio
from typing import ClassVar

import tornado.web
import tornado.websocket


class Chat(tornado.websocket.WebSocketHandler):
    room: ClassVar[set["Chat"]] = set()

    def open(self):
        self.outbox = asyncio.Queue()
        self.writer = asyncio.ensure_future(self.pump())
        Chat.room.add(self)

    async def pump(self):
        try:
            while True:
                msg = await self.outbox.get()
                await self.write_message(msg)
        except (tornado.websocket.WebSocketClosedError, asyncio.CancelledError):
            pass

    def on_close(self):
        Chat.room.discard(self)
        self.writer.cancel()

    def on_message(self, message):
        for c in list(Chat.room):
            c.outbox.put_nowait(message)


def make_app():
    return tornado.web.Application([(r"/chat", Chat)])
