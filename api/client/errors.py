"""What the client raises: one tree, the server's problem+json (RFC 9457) made typed.

    QuizloopError
    ├── ConfigError            no server URL, an unreadable config file, an unknown profile
    ├── TransportError         the server could not be reached (after retries)
    ├── UnexpectedResponse     a response that is not what the API answers (a proxy's page...)
    ├── WatchTimeout           a watched submission or regrade did not finish in time
    └── APIError               a problem+json answer: status, kind, title, detail, errors
        ├── BadRequest (400)   ├── Conflict (409)          ├── RateLimited (429)
        ├── Unauthorized (401) ├── PayloadTooLarge (413)   └── ServerError (5xx)
        ├── Forbidden (403)    └── ValidationError (422)
        └── NotFound (404)

`APIError.kind` is the problem type without its `urn:quizloop:problem:` prefix
(`attempt-in-progress`, `quiz-published`...): scripts may switch on it.

Usage:
    try:
        client.override(attempt_id, 2, points=1, reason="appeal")
    except ValidationError as error:
        for field in error.errors: print(field.loc, field.msg)
    except APIError as error:
        print(error.status, error.kind, error.detail)
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

__all__ = [
    "APIError",
    "BadRequest",
    "ConfigError",
    "Conflict",
    "FieldProblem",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "QuizloopError",
    "RateLimited",
    "ServerError",
    "TransportError",
    "Unauthorized",
    "UnexpectedResponse",
    "ValidationError",
    "WatchTimeout",
    "error_for",
]

PROBLEM_PREFIX = "urn:quizloop:problem:"


class QuizloopError(Exception):
    """Base of everything the client raises."""


class ConfigError(QuizloopError):
    """The client cannot tell which server to talk to, or how."""


class TransportError(QuizloopError):
    """The request did not reach the server, or its answer did not come back."""


class UnexpectedResponse(QuizloopError):
    """An answer that is not the API's (wrong content type, unparsable body...)."""

    def __init__(self, message: str, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response


class WatchTimeout(QuizloopError):
    """A watch gave up waiting for a final status."""


class FieldProblem(BaseModel):
    """One invalid field: where (`loc`), what is wrong, and for a file its line."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str
    line: int | None = None


class APIError(QuizloopError):
    """The server answered with a problem: see the module's docstring."""

    def __init__(
        self,
        *,
        status: int,
        type: str,
        title: str,
        detail: str,
        instance: str | None = None,
        request_id: str | None = None,
        errors: list[FieldProblem] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.type = type
        self.kind = type.removeprefix(PROBLEM_PREFIX)
        self.title = title
        self.detail = detail
        self.instance = instance
        self.request_id = request_id
        self.errors = errors or []
        self.retry_after = retry_after
        super().__init__(self._message())

    def _message(self) -> str:
        lines = [f"{self.status} {self.kind}: {self.detail}"]
        lines += [
            f"  {'.'.join(str(part) for part in e.loc)}"
            + (f" (line {e.line})" if e.line is not None else "")
            + f": {e.msg}"
            for e in self.errors
        ]
        if self.request_id:
            lines.append(f"  (request {self.request_id})")
        return "\n".join(lines)


class BadRequest(APIError):
    pass


class Unauthorized(APIError):
    pass


class Forbidden(APIError):
    pass


class NotFound(APIError):
    pass


class Conflict(APIError):
    pass


class PayloadTooLarge(APIError):
    pass


class ValidationError(APIError):
    pass


class RateLimited(APIError):
    pass


class ServerError(APIError):
    pass


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: ValidationError,
    429: RateLimited,
}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:  # an HTTP date: rare, and only advice
        return None


def error_for(response: httpx.Response) -> APIError:
    """The typed error for a failed response (problem+json, or anything else it says)."""
    status = response.status_code
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else APIError)
    body: Any = None
    if "json" in response.headers.get("content-type", ""):
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
    if not isinstance(body, dict):
        body = {}
    phrase = response.reason_phrase or f"HTTP {status}"
    raw_errors = body.get("errors")
    errors = (
        [FieldProblem.model_validate(e) for e in raw_errors if isinstance(e, dict)]
        if isinstance(raw_errors, list)
        else []
    )
    return cls(
        status=status,
        type=str(body.get("type") or f"{PROBLEM_PREFIX}http-{status}"),
        title=str(body.get("title") or phrase),
        detail=str(body.get("detail") or _text_excerpt(response) or phrase),
        instance=body.get("instance"),
        request_id=body.get("request_id") or response.headers.get("x-request-id"),
        errors=errors,
        retry_after=_retry_after(response),
    )


def _text_excerpt(response: httpx.Response) -> str:
    """The start of a non-problem body (a proxy's error page), on one line."""
    try:
        text = response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return ""
    return " ".join(text.split())[:200]
