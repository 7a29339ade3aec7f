"""A fast lane for the most frequent request of a class taking a quiz: reading a question.

`QuestionFastLane` is pure ASGI middleware placed just inside the app's own middleware (so
request ids, logging, body limits and CORS still apply). It answers
`GET /api/v1/attempts/{id}/items/{position}` by itself only when everything the route would
consult is already in the per-process caches of api/attempts/fast.py and api/banks/store.py
and says yes: a remembered, unexpired access token; its account read less than
`USER_TTL_SECONDS` ago and active; the attempt's facts, showing it belongs to that account and
is not past its deadline; the question rendered in the language asked for. Anything else (a
miss, an instructor, a deadline to enforce, any error) goes to the route, which decides, fills
the caches, and answers exactly the same bytes. So the lane can only ever repeat an answer
the route already gave; it skips the routing and dependency machinery, not a rule.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from api.attempts.fast import USER_TTL_SECONDS, FastCaches, question_body
from api.banks.store import cached_student_variant_json
from api.core.db import utcnow
from api.i18n import negotiate

__all__ = ["QuestionFastLane"]

_QUESTION = re.compile(r"/api/v1/attempts/([0-9]{1,18})/items/([0-9]{1,9})")


class QuestionFastLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            match = _QUESTION.fullmatch(scope["path"])
            if match is not None:
                body = self._cached_answer(scope, int(match[1]), int(match[2]))
                if body is not None:
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 200,
                            "headers": [
                                (b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)

    def _cached_answer(self, scope: Scope, attempt_id: int, position: int) -> bytes | None:
        store: FastCaches | None = getattr(scope["app"].state, "fast_caches", None)
        if store is None:
            return None
        headers = dict(scope["headers"])
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        known_token = store.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if known_token is None or known_token[1] <= time.time():
            return None
        user = store.users.get(known_token[0])
        if user is None or not user[1] or time.monotonic() - user[2] > USER_TTL_SECONDS:
            return None
        facts = store.attempts.get(attempt_id)
        if facts is None or facts.student_id != known_token[0]:
            return None
        if facts.in_progress and facts.deadline is not None and utcnow() >= facts.deadline:
            return None  # the route closes it first
        slot = facts.slots.get(position)
        if slot is None:
            return None
        query = scope.get("query_string", b"")
        asked = parse_qs(query.decode("latin-1")).get("lang", [None])[0] if query else None
        accept = headers.get(b"accept-language")
        language = negotiate(asked, accept.decode("latin-1") if accept else None)
        question = cached_student_variant_json(
            slot.bank_version_id,
            slot.question_id,
            slot.seed,
            language,
            shuffle=facts.shuffle_options,
        )
        if question is None:
            return None
        return question_body(position, slot.points, question)
