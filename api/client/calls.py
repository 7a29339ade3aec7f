"""Every API call the clients make, described once: method, path, body, how to read the
answer, and whether it may be repeated safely. `Client` and `AsyncClient` only send them.

Usage:
    call = calls.quiz(7)                 # Call[Quiz]
    quiz = client.send(call)             # what Client.quiz(7) does
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel

from api.client.errors import UnexpectedResponse
from api.client.models import (
    ApiToken,
    AttemptDetail,
    AttemptScores,
    AttemptSummary,
    AuditEntry,
    BankImported,
    Course,
    CourseGradebook,
    Enrolled,
    ItemScore,
    Member,
    Page,
    Quiz,
    QuizGradebook,
    QuizStatistics,
    Regrade,
    SavedAnswer,
    StudentResult,
    Submission,
    User,
)

__all__ = ["Call", "Upload"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
Upload = tuple[str, bytes, str]
"""A file to upload: (name, content, media type)."""


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    files: Mapping[str, Upload] | None = None
    idempotent: bool = False
    """Safe to send again when a connection fails midway (GET, PUT, DELETE, and POSTs the
    server treats as idempotent)."""

    @property
    def query(self) -> dict[str, Any]:
        return {k: v for k, v in self.params.items() if v is not None}


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise UnexpectedResponse(
            f"{response.request.method} {response.request.url.path}: expected JSON, got "
            f"{response.headers.get('content-type', 'no content type')}",
            response,
        ) from None


def _model(cls: type[M]) -> Callable[[httpx.Response], M]:
    return lambda response: cls.model_validate(_json(response))


def _page(cls: type[M]) -> Callable[[httpx.Response], Page[M]]:
    return lambda response: Page[cls].model_validate(_json(response))  # type: ignore[valid-type]


def _text(response: httpx.Response) -> str:
    return response.content.decode("utf-8-sig")


def get(path: str, parse: Callable[[httpx.Response], T], **params: Any) -> Call[T]:
    return Call("GET", path, parse, params=params, idempotent=True)


def page(path: str, cls: type[M], offset: int, limit: int, **params: Any) -> Call[Page[M]]:
    return get(path, _page(cls), offset=offset, limit=limit, **params)


# --- accounts and courses ----------------------------------------------------------------


def me() -> Call[User]:
    return get("/users/me", _model(User))


def create_api_token(name: str, expires_in_days: int | None) -> Call[ApiToken]:
    body = {"name": name, "expires_in_days": expires_in_days}
    return Call("POST", "/auth/api-tokens", _model(ApiToken), json=body)


def create_user(email: str, full_name: str, role: str, password: str | None) -> Call[User]:
    body = {"email": email, "full_name": full_name, "role": role, "password": password}
    return Call("POST", "/users", _model(User), json={k: v for k, v in body.items() if v})


def import_users(roster: Upload) -> Call[Page[User]]:
    return Call("POST", "/users/import", _page(User), files={"file": roster})


def courses(offset: int, limit: int) -> Call[Page[Course]]:
    return page("/courses", Course, offset, limit)


def course(course_id: int) -> Call[Course]:
    return get(f"/courses/{course_id}", _model(Course))


def create_course(title: Mapping[str, str], description: Mapping[str, str] | None) -> Call[Course]:
    body = {"title": dict(title), **({"description": dict(description)} if description else {})}
    return Call("POST", "/courses", _model(Course), json=body)


def members(course_id: int, role: str | None, offset: int, limit: int) -> Call[Page[Member]]:
    return page(f"/courses/{course_id}/members", Member, offset, limit, role=role)


def enrol(course_id: int, email: str, role: str) -> Call[Member]:
    body = {"email": email, "role": role}
    # Enrolling someone already enrolled changes nothing: safe to repeat.
    return Call("POST", f"/courses/{course_id}/members", _model(Member), json=body, idempotent=True)


def enrol_roster(course_id: int, roster: Upload) -> Call[Enrolled]:
    return Call(
        "POST",
        f"/courses/{course_id}/members/import",
        _model(Enrolled),
        files={"file": roster},
        idempotent=True,  # all or nothing, and enrolled students stay as they are
    )


def import_bank(archive: Upload) -> Call[BankImported]:
    # The same content imported again is answered 200 with the existing version.
    return Call("POST", "/banks", _model(BankImported), files={"file": archive}, idempotent=True)


# --- quizzes and attempts ----------------------------------------------------------------


def quizzes(course_id: int, offset: int, limit: int) -> Call[Page[Quiz]]:
    return page(f"/courses/{course_id}/quizzes", Quiz, offset, limit)


def quiz(quiz_id: int) -> Call[Quiz]:
    return get(f"/quizzes/{quiz_id}", _model(Quiz))


def create_quiz(course_id: int, body: Mapping[str, Any]) -> Call[Quiz]:
    return Call("POST", f"/courses/{course_id}/quizzes", _model(Quiz), json=dict(body))


def publish_quiz(quiz_id: int) -> Call[Quiz]:
    return Call("POST", f"/quizzes/{quiz_id}/publish", _model(Quiz), idempotent=True)


def results(quiz_id: int, offset: int, limit: int) -> Call[Page[StudentResult]]:
    return page(f"/quizzes/{quiz_id}/results", StudentResult, offset, limit)


def attempts(
    quiz_id: int, student_id: int | None, status: str | None, offset: int, limit: int
) -> Call[Page[AttemptSummary]]:
    return page(
        f"/quizzes/{quiz_id}/attempts",
        AttemptSummary,
        offset,
        limit,
        student_id=student_id,
        status=status,
    )


def attempt(attempt_id: int) -> Call[AttemptDetail]:
    return get(f"/attempts/{attempt_id}", _model(AttemptDetail))


def start_attempt(quiz_id: int) -> Call[AttemptDetail]:
    # Starting again resumes the attempt in progress.
    return Call("POST", f"/quizzes/{quiz_id}/attempts", _model(AttemptDetail), idempotent=True)


def save_answer(attempt_id: int, position: int, response: Any, revision: int) -> Call[SavedAnswer]:
    return Call(
        "PUT",
        f"/attempts/{attempt_id}/items/{position}/answer",
        _model(SavedAnswer),
        json={"response": response, "revision": revision},
        idempotent=True,
    )


def submit_attempt(attempt_id: int) -> Call[AttemptDetail]:
    # Submitting twice is harmless.
    return Call("POST", f"/attempts/{attempt_id}/submit", _model(AttemptDetail), idempotent=True)


# --- scores: overrides, gradebook, statistics --------------------------------------------


def override(attempt_id: int, position: int, points: float, reason: str) -> Call[ItemScore]:
    return Call(
        "POST",
        f"/attempts/{attempt_id}/items/{position}/override",
        _model(ItemScore),
        json={"points": points, "reason": reason},
    )


def clear_override(attempt_id: int, position: int, reason: str) -> Call[ItemScore]:
    return Call(
        "DELETE",
        f"/attempts/{attempt_id}/items/{position}/override",
        _model(ItemScore),
        json={"reason": reason},
        idempotent=True,
    )


def scores(attempt_id: int) -> Call[AttemptScores]:
    return get(f"/attempts/{attempt_id}/scores", _model(AttemptScores))


def audit(
    quiz_id: int, student_id: int | None, attempt_id: int | None, offset: int, limit: int
) -> Call[Page[AuditEntry]]:
    return page(
        f"/quizzes/{quiz_id}/audit",
        AuditEntry,
        offset,
        limit,
        student_id=student_id,
        attempt_id=attempt_id,
    )


def gradebook(quiz_id: int) -> Call[QuizGradebook]:
    return get(f"/quizzes/{quiz_id}/gradebook", _model(QuizGradebook), format="json")


def gradebook_csv(quiz_id: int, layout: str, items: bool) -> Call[str]:
    return get(
        f"/quizzes/{quiz_id}/gradebook",
        _text,
        format="csv",
        layout=layout,
        items=str(items).lower(),
    )


def course_gradebook(course_id: int) -> Call[CourseGradebook]:
    return get(f"/courses/{course_id}/gradebook", _model(CourseGradebook), format="json")


def course_gradebook_csv(course_id: int, layout: str) -> Call[str]:
    return get(f"/courses/{course_id}/gradebook", _text, format="csv", layout=layout)


def statistics(quiz_id: int, attempts: str) -> Call[QuizStatistics]:
    return get(f"/quizzes/{quiz_id}/statistics", _model(QuizStatistics), attempts=attempts)


# --- submissions and regrades (the grading queue) ----------------------------------------


def submit(attempt_id: int, position: int, source: str) -> Call[Submission]:
    return Call(
        "POST",
        f"/attempts/{attempt_id}/items/{position}/submissions",
        _model(Submission),
        json={"source": source},
    )


def submission(submission_id: int) -> Call[Submission]:
    return get(f"/submissions/{submission_id}", _model(Submission))


def submissions(
    course_id: int, filters: Mapping[str, Any], offset: int, limit: int
) -> Call[Page[Submission]]:
    return page(f"/courses/{course_id}/submissions", Submission, offset, limit, **filters)


def item_submissions(
    attempt_id: int, position: int, offset: int, limit: int
) -> Call[Page[Submission]]:
    path = f"/attempts/{attempt_id}/items/{position}/submissions"
    return page(path, Submission, offset, limit)


def requeue(submission_id: int) -> Call[Submission]:
    path = f"/submissions/{submission_id}/requeue"
    return Call("POST", path, _model(Submission), idempotent=True)


def regrade(body: Mapping[str, Any]) -> Call[Regrade]:
    return Call("POST", "/regrades", _model(Regrade), json=dict(body))


def regrade_status(regrade_id: int) -> Call[Regrade]:
    return get(f"/regrades/{regrade_id}", _model(Regrade))
