"""What `Client` and `AsyncClient` share besides the calls: headers, request bodies, and
the bookkeeping of a watch (deadline, parsing events, telling new states from repeats)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
from pydantic import ValidationError as PydanticValidationError

import api
from api.client.errors import ConfigError, UnexpectedResponse, WatchTimeout
from api.client.models import Model
from api.client.sse import Event

__all__ = [
    "WATCH_READ_TIMEOUT",
    "Watch",
    "headers_for",
    "login_form",
    "regrade_body",
    "submission_filters",
]

W = TypeVar("W", bound=Model)
WATCH_READ_TIMEOUT = 30.0
"""The longest a watch waits on a silent stream before it checks and reconnects."""
STATE_EVENTS = frozenset({"status", "progress", "message"})


def headers_for(token: str | None, lang: str | None) -> dict[str, str]:
    headers = {"User-Agent": f"quizloop-client/{api.__version__}", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if lang:
        headers["Accept-Language"] = lang
    return headers


def login_form(email: str, password: str) -> dict[str, str]:
    return {"username": email, "password": password}


def submission_filters(
    status: str | None, assignment_id: str | None, student_id: int | None, quiz_id: int | None
) -> dict[str, Any]:
    return {
        "status": status,
        "assignment_id": assignment_id,
        "student_id": student_id,
        "quiz_id": quiz_id,
    }


def regrade_body(*, dry_run: bool, scope: str | None = None, **ids: Any) -> dict[str, Any]:
    """The POST /regrades body; the scope follows from the ids given when not named."""
    given = {key: value for key, value in ids.items() if value is not None}
    if scope is None:
        if "submission_id" in given:
            scope = "submission"
        elif {"quiz_id", "question_id"} <= set(given):
            scope = "question"
        elif {"course_id", "assignment_id"} <= set(given):
            scope = "assignment"
        else:
            raise ConfigError(
                "a regrade needs submission_id, or quiz_id and question_id, or course_id and "
                "assignment_id"
            )
    return {"scope": scope, "dry_run": dry_run, **given}


@dataclass
class Watch(Generic[W]):
    """One watch of an event stream: where, what its states are, until when."""

    path: str
    model: type[W]
    limit: float | None
    started: float = field(default_factory=time.monotonic)
    last: W | None = None

    def check_deadline(self) -> None:
        if self.limit is not None and time.monotonic() - self.started > self.limit:
            raise WatchTimeout(f"{self.path}: not finished after {self.limit:g} s")

    def timeout(self, default: httpx.Timeout) -> httpx.Timeout:
        read = WATCH_READ_TIMEOUT
        if self.limit is not None:
            read = max(0.1, min(read, self.limit - (time.monotonic() - self.started)))
        return httpx.Timeout(default.connect, read=read, write=default.write, pool=default.pool)

    def parse(self, event: Event) -> W | None:
        """The state an event carries (None for events that carry none)."""
        if event.event not in STATE_EVENTS:
            return None
        try:
            return self.model.model_validate(json.loads(event.data))
        except (json.JSONDecodeError, PydanticValidationError) as exc:
            raise UnexpectedResponse(f"{self.path}: an event that is not a state: {exc}") from None

    def is_new(self, state: W) -> bool:
        """False for a repeat of the last state (a reconnect sends the current one again)."""
        new = state != self.last
        self.last = state
        return new

    @staticmethod
    def finished(state: Model) -> bool:
        return bool(getattr(state, "finished", False))
