"""/api/v1 gradebooks: per quiz and per course, as JSON or as CSV for Canvas and Moodle."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.courses.service import CourseInstructorOnly, course_for_instructor
from api.deps import CurrentUser, Lang, SessionDep
from api.errors import NotFound, ValidationFailed, problem_responses
from api.gradebook import service, sheets
from api.gradebook.models import CourseGradebook, ExportFormat, QuizGradebook, SheetLayout
from api.quizzes.service import quiz_for_instructor

router = APIRouter(tags=["gradebook"])

_TEACHER = (NotFound, CourseInstructorOnly, ValidationFailed)
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"

FormatQuery = Annotated[
    ExportFormat, Query(alias="format", description="json, or csv for a spreadsheet or an LMS.")
]
LayoutQuery = Annotated[
    SheetLayout, Query(description="CSV only: the columns Canvas or Moodle imports.")
]


def _csv(body: str, filename: str) -> Response:
    return Response(
        content=body.encode("utf-8"),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


_CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The gradebook."}
}


@router.get(
    "/quizzes/{quiz_id}/gradebook",
    response_model=QuizGradebook,
    responses={**_CSV_RESPONSE, **problem_responses(*_TEACHER)},
)
def quiz_gradebook(
    session: SessionDep,
    user: CurrentUser,
    lang: Lang,
    quiz_id: int,
    export_format: FormatQuery = ExportFormat.json,
    layout: LayoutQuery = SheetLayout.canvas,
    items: Annotated[
        bool, Query(description="CSV only: a column per quiz item before the total.")
    ] = True,
) -> Response:
    """One row per enrolled student (those without an attempt too, with empty cells): the
    score of each item of the attempt that counts (highest or last, after overrides) and its
    total. Instructors of the course."""
    quiz = quiz_for_instructor(session=session, quiz_id=quiz_id, user=user)
    book = service.quiz_gradebook(session=session, quiz=quiz, lang=lang)
    if export_format == ExportFormat.csv:
        body = sheets.quiz_sheet(book, layout=layout, items=items)
        return _csv(body, f"quiz-{quiz_id}-gradebook-{layout.value}.csv")
    return Response(content=book.model_dump_json(), media_type="application/json")


@router.get(
    "/courses/{course_id}/gradebook",
    response_model=CourseGradebook,
    responses={**_CSV_RESPONSE, **problem_responses(*_TEACHER)},
)
def course_gradebook(
    session: SessionDep,
    user: CurrentUser,
    lang: Lang,
    course_id: int,
    export_format: FormatQuery = ExportFormat.json,
    layout: LayoutQuery = SheetLayout.canvas,
) -> Response:
    """One row per enrolled student: the counted score of each published quiz and their
    sum. Instructors of the course."""
    course = course_for_instructor(session=session, course_id=course_id, user=user)
    book = service.course_gradebook(session=session, course=course, lang=lang)
    if export_format == ExportFormat.csv:
        body = sheets.course_sheet(book, layout=layout)
        return _csv(body, f"course-{course_id}-gradebook-{layout.value}.csv")
    return Response(content=book.model_dump_json(), media_type="application/json")
