"""When the clients send a request again, and how they build one from a `Call`.

A request that never reached the server (the connection could not be made) is sent again
whatever it was. One that may have reached it (the connection broke midway, or a proxy
answered 502/503/504, or the server 429) is sent again only if the call is idempotent:
submitting code twice would queue it twice. Waits grow exponentially (with a little jitter),
or follow the server's Retry-After, capped.

Usage:
    delay = policy.after_error(call, exc, attempt)      # None: give up
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import httpx

from api.client.calls import Call

__all__ = ["API_PREFIX", "RetryPolicy", "request_arguments"]

API_PREFIX = "/api/v1"
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_WAIT = 30.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int = 3
    """Repeats after the first try."""
    backoff: float = 0.25
    """The first wait, in seconds; doubled each time."""

    def _wait(self, attempt: int) -> float:
        # Jitter keeps a class of scripts from retrying in lockstep; not security-relevant.
        return min(MAX_WAIT, self.backoff * 2.0**attempt * (1 + random.random() / 10))  # noqa: S311

    def after_error(
        self, call: Call[Any], error: httpx.TransportError, attempt: int
    ) -> float | None:
        """Seconds to wait before trying `call` again after `error`, or None to give up."""
        if attempt >= self.retries:
            return None
        if isinstance(error, NEVER_SENT) or call.idempotent:
            return self._wait(attempt)
        return None

    def after_status(self, call: Call[Any], response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before trying `call` again after an error answer, or None."""
        if attempt >= self.retries or not call.idempotent:
            return None
        if response.status_code not in RETRY_STATUSES:
            return None
        advice = response.headers.get("retry-after", "")
        try:
            return min(MAX_WAIT, max(0.0, float(advice)))
        except ValueError:
            return self._wait(attempt)


def request_arguments(call: Call[Any]) -> dict[str, Any]:
    """The keyword arguments of `httpx.Client.request` for `call`."""
    arguments: dict[str, Any] = {"params": call.query}
    if call.json is not None:
        arguments["json"] = call.json
    if call.files is not None:
        arguments["files"] = dict(call.files)
    return arguments
