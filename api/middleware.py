"""Pure ASGI middleware: request ids and the request-body size limit.

Pure ASGI (not BaseHTTPMiddleware) so bodies stream through untouched and the limit can count
bytes as they arrive, which catches chunked uploads that carry no Content-Length.
"""

from __future__ import annotations

import logging
import os
import re
import time

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.logging import request_id_context
from api.errors import PayloadTooLarge
from api.i18n import Text
from api.problems import problem_response

__all__ = ["BodySizeLimitMiddleware", "RequestIdMiddleware"]

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode()  # ASGI header names are lower-case
# A caller's id is kept only if it is short and plain: it ends up in log lines.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
logger = logging.getLogger("quizloop.request")


class RequestIdMiddleware:
    """Gives each request an id (the caller's X-Request-ID if sane), tags its log lines with
    it, returns it in X-Request-ID, and logs one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Read straight from the raw headers: this runs on every request, and a `Request`
        # with its parsed headers costs more than the rest of this middleware.
        incoming = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == _REQUEST_ID_KEY), ""
        )
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else os.urandom(16).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        status_code = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                headers = MutableHeaders(scope=message)
                if REQUEST_ID_HEADER not in headers:
                    headers.append(REQUEST_ID_HEADER, request_id)
            await send(message)

        with request_id_context(request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                elapsed_ms = (time.perf_counter() - started) * 1000
                logger.info(
                    "%s %s -> %d (%.1f ms)", scope["method"], scope["path"], status_code, elapsed_ms
                )


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Answers 413 when a request body exceeds `max_bytes`: at once when Content-Length says
    so, or as soon as the streamed bytes pass the limit."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self, scope: Scope) -> PayloadTooLarge:
        limit = self.max_bytes
        return PayloadTooLarge(
            Text(
                en=f"The request body is larger than the limit of {limit} bytes.",
                zh=f"请求体超过了 {limit} 字节的上限。",
            )
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        declared = request.headers.get("content-length")
        # A malformed Content-Length never reaches us: the HTTP server rejects it.
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await problem_response(self._too_large(scope), request)(scope, receive, send)
            return

        received = 0
        exceeded = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if exceeded:
                return  # the app's answer to a body it never fully got is replaced by ours
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not response_started:
            await problem_response(self._too_large(scope), request)(scope, receive, send)
