"""Change notices between processes over Redis pub/sub (the celery backend).

Workers publish the keys of what they changed (`submission:12`, `regrade:3`); every service
process subscribes and wakes its event streams (api/grading/publish.py's FEED). The channel
is named after the Redis database, so deployments sharing a server do not hear each other.
Pub/sub is fire-and-forget: a lost notice only delays an event until the stream's next read.

Usage:
    FEED.bridge = RedisChanges(settings.broker_url)      # publish from this process
    listener = RedisChanges(url).listen(FEED.wake)       # a thread; listener.stop()
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

import redis

__all__ = ["RedisChanges"]

logger = logging.getLogger("quizloop.grading")


class RedisChanges:
    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        db = self.client.connection_pool.connection_kwargs.get("db", 0)
        self.channel = f"quizloop:{db}:changes"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def send(self, keys: Sequence[str]) -> None:
        if keys:
            self.client.publish(self.channel, " ".join(keys))

    def listen(self, wake: Callable[[list[str]], None]) -> RedisChanges:
        """Call `wake(keys)` for every notice, from a thread of its own, until `stop()`."""
        self._thread = threading.Thread(
            target=self._listen, args=(wake,), name="quizloop-changes", daemon=True
        )
        self._thread.start()
        return self

    def _listen(self, wake: Callable[[list[str]], None]) -> None:
        while not self._stop.is_set():
            try:
                with self.client.pubsub(  # type: ignore[no-untyped-call]
                    ignore_subscribe_messages=True
                ) as pubsub:
                    pubsub.subscribe(self.channel)
                    while not self._stop.is_set():
                        message = pubsub.get_message(timeout=0.5)
                        if message and isinstance(message.get("data"), bytes):
                            wake(message["data"].decode().split())
            except redis.RedisError as exc:  # streams still read the database meanwhile
                logger.warning("change notices interrupted: %s", exc.__class__.__name__)
                self._stop.wait(1.0)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        self.client.close()
