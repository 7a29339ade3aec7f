"""Reading a server-sent event stream (the WHATWG rules), one line at a time.

Usage:
    parser = EventParser()
    for line in response.iter_lines():
        for event in parser.feed(line):
            print(event.event, event.data)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Event", "EventParser"]


@dataclass(frozen=True, slots=True)
class Event:
    event: str
    data: str
    id: str | None


class EventParser:
    """Accumulates `field: value` lines; a blank line dispatches the event they make."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self.last_id: str | None = None

    def feed(self, line: str) -> Iterator[Event]:
        """Events completed by `line` (a line without its line ending)."""
        if line == "":
            if self._data:
                yield Event(
                    event=self._event or "message", data="\n".join(self._data), id=self.last_id
                )
            self._event, self._data = "", []
            return
        if line.startswith(":"):  # a comment: keep-alives
            return
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            self._event = value
        elif field == "data":
            self._data.append(value)
        elif field == "id" and "\0" not in value:
            self.last_id = value
        # `retry` and unknown fields: the client has its own reconnection policy.
