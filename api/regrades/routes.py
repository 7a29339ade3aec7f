"""/api/v1 regrade routes: start a regrade (or a dry run), read and watch its progress."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.responses import StreamingResponse

from api.courses.service import CourseInstructorOnly
from api.deps import CurrentUser, SessionDep
from api.errors import NotFound, problem_responses
from api.grading.events import Snapshot, event_response
from api.grading.publish import regrade_key
from api.regrades import service
from api.regrades.errors import StillGrading
from api.regrades.models import Regrade, RegradeCreate, RegradePublic

router = APIRouter(tags=["regrades"])


@router.post(
    "/regrades",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(NotFound, CourseInstructorOnly, StillGrading),
)
def start_regrade(
    session: SessionDep, user: CurrentUser, regrade_in: RegradeCreate
) -> RegradePublic:
    """Grade again one submission, every submission to a question of a quiz, or every
    submission of an assignment in a course (instructors), through the grading queue. With
    `dry_run` nothing is written: the result lists the scores that would change. Follow the
    progress with GET /regrades/{id} or its event stream."""
    regrade = service.create_regrade(session=session, user=user, regrade_in=regrade_in)
    return service.regrade_public(session, regrade)


@router.get("/regrades/{regrade_id}", responses=problem_responses(NotFound))
def read_regrade(session: SessionDep, user: CurrentUser, regrade_id: int) -> RegradePublic:
    """A regrade's progress (done of total) and the scores it changed (or would change)."""
    regrade = service.regrade_for_instructor(session=session, regrade_id=regrade_id, user=user)
    return service.regrade_public(session, regrade)


def _snapshot(engine: Engine, regrade_id: int) -> Snapshot | None:
    with Session(engine.execution_options(isolation_level="AUTOCOMMIT")) as session:
        regrade = session.get(Regrade, regrade_id)
        if regrade is None:
            return None
        public = service.regrade_public(session, regrade)
        return Snapshot(
            version=public.done,
            body=public.model_dump_json(),
            terminal=public.status == "done",
        )


@router.get(
    "/regrades/{regrade_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "The event stream."},
        **problem_responses(NotFound),
    },
)
def watch_regrade(
    request: Request, session: SessionDep, user: CurrentUser, regrade_id: int
) -> StreamingResponse:
    """Server-sent events: `event: status` with the regrade (as GET returns it) whenever its
    progress changes; the stream ends when every job has finished."""
    service.regrade_for_instructor(session=session, regrade_id=regrade_id, user=user)
    engine: Engine = request.app.state.engine
    return event_response(lambda: _snapshot(engine, regrade_id), key=regrade_key(regrade_id))
