"""/web/api: the two small read-only helpers the pages need that the REST API has no route for.

- An assignment's statement, starter code and checks, for the code editor. A student reads it
  through an item of their own attempt (visible checks only: hidden checks stay hidden, as
  every student-facing route keeps them); instructors read any assignment, every check.
- A fresh access token for the signed-in page, so a student an hour into a quiz is not signed
  out by the 30-minute token lifetime while the page is in use.

Usage:
    GET  /web/api/attempts/{attempt_id}/items/{position}/assignment?lang=zh-CN
    GET  /web/api/assignments/{assignment_id}        (instructors)
    POST /web/api/token/refresh                       -> AccessToken
"""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, Depends
from sqlmodel import SQLModel

from api.attempts.service import attempt_for_viewer, get_item, variant_of
from api.auth.models import AccessToken
from api.auth.tokens import issue_access_token
from api.courses.models import CourseRole
from api.deps import CurrentUser, InstructorUser, Lang, SessionDep, SettingsDep, get_current_user
from api.errors import (
    AccountDisabled,
    InstructorOnly,
    InvalidToken,
    NotAuthenticated,
    NotFound,
    TokenExpired,
    problem_responses,
)
from api.i18n import Language, Text
from graders import Assignment, Catalogue, UnknownAssignment

__all__ = ["AssignmentView", "CheckView", "router"]

router = APIRouter(
    prefix="/web/api",
    tags=["web"],
    dependencies=[Depends(get_current_user)],
    responses=problem_responses(NotAuthenticated, InvalidToken, TokenExpired, AccountDisabled),
)


class CheckView(SQLModel):
    id: str
    title: str
    points: int
    visibility: str


class AssignmentView(SQLModel):
    """What the code editor shows beside a code question."""

    id: str
    title: str
    summary: str
    statement: str
    """Markdown."""
    starter: str
    signature: str
    checks: list[CheckView]
    """Visible checks only for students."""
    hidden_checks: int
    """How many checks the student does not see (they still count)."""
    max_score: int


@cache
def _catalogue() -> Catalogue:
    return Catalogue.load()


def _assignment(assignment_id: str) -> Assignment:
    try:
        return _catalogue()[assignment_id]
    except (UnknownAssignment, KeyError):
        raise NotFound(Text(en="No such assignment.", zh="没有这个编程作业。")) from None


def _view(assignment: Assignment, lang: Language, *, with_hidden: bool) -> AssignmentView:
    shown = [c for c in assignment.checks if with_hidden or c.visibility == "visible"]
    return AssignmentView(
        id=assignment.id,
        title=assignment.title[lang],
        summary=assignment.summary[lang],
        statement=assignment.statement(lang),
        starter=assignment.starter(),
        signature=assignment.interface.signature,
        checks=[
            CheckView(id=c.id, title=c.title[lang], points=c.points, visibility=c.visibility)
            for c in shown
        ],
        hidden_checks=len(assignment.checks) - len(shown),
        max_score=assignment.max_score,
    )


@router.get(
    "/attempts/{attempt_id}/items/{position}/assignment", responses=problem_responses(NotFound)
)
def attempt_assignment(
    session: SessionDep, user: CurrentUser, lang: Lang, attempt_id: int, position: int
) -> AssignmentView:
    """The assignment of a code question in an attempt you can read."""
    attempt, _, role = attempt_for_viewer(session=session, attempt_id=attempt_id, user=user)
    item = get_item(session, attempt, position)
    assignment_id = variant_of(session, attempt, item, lang).student.assignment
    if assignment_id is None:
        raise NotFound(Text(en="This question has no code.", zh="这道题不是编程题。"))
    return _view(_assignment(assignment_id), lang, with_hidden=role == CourseRole.instructor)


@router.get("/assignments/{assignment_id}", responses=problem_responses(InstructorOnly, NotFound))
def read_assignment(_: InstructorUser, lang: Lang, assignment_id: str) -> AssignmentView:
    """Any assignment, every check (instructors)."""
    return _view(_assignment(assignment_id), lang, with_hidden=True)


@router.post("/token/refresh")
def refresh_token(user: CurrentUser, settings: SettingsDep) -> AccessToken:
    """A new access token for the signed-in user (the page calls this while in use)."""
    assert user.id is not None
    token, lifetime = issue_access_token(user_id=user.id, settings=settings)
    return AccessToken(access_token=token, expires_in=lifetime)
