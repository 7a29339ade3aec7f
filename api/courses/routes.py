"""/api/v1/courses: courses, their members and join codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from sqlmodel import Session

from api.courses import service
from api.courses.models import (
    Course,
    CourseCreate,
    CourseForStudent,
    CoursePublic,
    CourseRole,
    CoursesForStudent,
    CoursesPublic,
    CourseUpdate,
    Enrolled,
    JoinCode,
    JoinRequest,
    MemberAdd,
    MemberPublic,
    MembersPublic,
    localized,
)
from api.deps import CurrentUser, InstructorUser, Lang, PageDep, SessionDep
from api.errors import (
    Forbidden,
    InstructorOnly,
    InvalidCsv,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
    problem_responses,
)
from api.i18n import Language
from api.users.models import Role, UserCreated
from api.users.roster import parse_roster

router = APIRouter(prefix="/courses", tags=["courses"])

_TEACHER = (NotFound, service.CourseInstructorOnly)


def _public(session: Session, courses: Sequence[Course]) -> list[CoursePublic]:
    counts = service.member_counts(session=session, course_ids=[c.id for c in courses if c.id])
    out = []
    for course in courses:
        assert course.id is not None
        out.append(
            CoursePublic(
                id=course.id,
                title=course.title,
                description=course.description,
                join_code=course.join_code,
                created_at=course.created_at,
                students=counts[course.id][CourseRole.student],
                instructors=counts[course.id][CourseRole.instructor],
                your_role=CourseRole.instructor,
            )
        )
    return out


def _for_student(course: Course, lang: Language) -> CourseForStudent:
    assert course.id is not None
    return CourseForStudent(
        id=course.id,
        title=localized(course.title, lang) or "",
        description=localized(course.description, lang),
        your_role=CourseRole.student,
    )


@router.get("", responses=problem_responses(ValidationFailed))
def list_courses(
    session: SessionDep, user: CurrentUser, page: PageDep, lang: Lang
) -> CoursesPublic | CoursesForStudent:
    """Your courses: those you teach, or (students) those you are enrolled in."""
    courses, count = service.list_courses(session=session, user=user, page=page)
    if user.role == Role.instructor:
        return CoursesPublic(data=_public(session, courses), count=count)
    return CoursesForStudent(data=[_for_student(c, lang) for c in courses], count=count)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(InstructorOnly, ValidationFailed),
)
def create_course(
    session: SessionDep, instructor: InstructorUser, course_in: CourseCreate
) -> CoursePublic:
    """Create a course; you become its instructor."""
    course = service.create_course(session=session, course_in=course_in, instructor=instructor)
    return _public(session, [course])[0]


@router.post("/join", responses=problem_responses(Forbidden, NotFound, ValidationFailed))
def join_course(
    session: SessionDep, user: CurrentUser, lang: Lang, join: JoinRequest
) -> CourseForStudent:
    """Enrol yourself with the join code your instructor gave you."""
    course = service.join_by_code(session=session, code=join.code, student=user)
    return _for_student(course, lang)


@router.get("/{course_id}", responses=problem_responses(NotFound))
def read_course(
    session: SessionDep, user: CurrentUser, lang: Lang, course_id: int
) -> CoursePublic | CourseForStudent:
    """One of your courses."""
    course, role = service.course_for_member(session=session, course_id=course_id, user=user)
    if role == CourseRole.instructor:
        return _public(session, [course])[0]
    return _for_student(course, lang)


@router.patch("/{course_id}", responses=problem_responses(*_TEACHER, ValidationFailed))
def update_course(
    session: SessionDep, user: CurrentUser, course_id: int, course_in: CourseUpdate
) -> CoursePublic:
    """Rename a course you teach."""
    course = service.course_for_instructor(session=session, course_id=course_id, user=user)
    course = service.update_course(session=session, course=course, course_in=course_in)
    return _public(session, [course])[0]


@router.get("/{course_id}/members", responses=problem_responses(*_TEACHER, ValidationFailed))
def list_members(
    session: SessionDep,
    user: CurrentUser,
    course_id: int,
    page: PageDep,
    role: Annotated[CourseRole | None, Query(description="Only members of this role.")] = None,
) -> MembersPublic:
    """The course's instructors and students, by email."""
    course = service.course_for_instructor(session=session, course_id=course_id, user=user)
    members, count = service.list_members(session=session, course=course, page=page, role=role)
    return MembersPublic(data=members, count=count)


@router.post(
    "/{course_id}/members",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": MemberPublic, "description": "Already a member; nothing changed."},
        **problem_responses(*_TEACHER, ValidationFailed),
    },
)
def add_member(
    session: SessionDep, user: CurrentUser, response: Response, course_id: int, member: MemberAdd
) -> MemberPublic:
    """Enrol a student (or add an instructor) by the email of their account."""
    course = service.course_for_instructor(session=session, course_id=course_id, user=user)
    added, created = service.add_member(
        session=session, course=course, email=member.email, role=member.role
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return added


@router.post(
    "/{course_id}/members/import",
    responses=problem_responses(*_TEACHER, InvalidCsv, PayloadTooLarge),
)
def enrol_from_csv(
    session: SessionDep,
    user: CurrentUser,
    course_id: int,
    file: Annotated[UploadFile, File(description="CSV: email, full_name, password (optional)")],
) -> Enrolled:
    """Enrol every student of a CSV roster, all or none; every bad line is reported. Emails
    without an account get a student account (its generated password is shown once)."""
    course = service.course_for_instructor(session=session, course_id=course_id, user=user)
    rows = parse_roster(file.file.read())
    enrolled, already, created = service.enrol_roster(session=session, course=course, rows=rows)
    return Enrolled(
        enrolled=enrolled,
        already_enrolled=already,
        accounts_created=[
            UserCreated.model_validate(u, update={"initial_password": p}) for u, p in created
        ],
    )


@router.delete(
    "/{course_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(*_TEACHER, ValidationFailed),
)
def remove_member(session: SessionDep, user: CurrentUser, course_id: int, user_id: int) -> None:
    """Take someone out of the course. Their attempts are kept."""
    course = service.course_for_instructor(session=session, course_id=course_id, user=user)
    service.remove_member(session=session, course=course, user_id=user_id, acting=user)


@router.post("/{course_id}/join-code", responses=problem_responses(*_TEACHER))
def regenerate_join_code(session: SessionDep, user: CurrentUser, course_id: int) -> JoinCode:
    """A new join code for the course; the previous one stops working."""
    course = service.course_for_instructor(session=session, course_id=course_id, user=user)
    return JoinCode(join_code=service.set_join_code(session=session, course=course, enabled=True))


@router.delete("/{course_id}/join-code", responses=problem_responses(*_TEACHER))
def disable_join_code(session: SessionDep, user: CurrentUser, course_id: int) -> JoinCode:
    """Stop students from joining by code."""
    course = service.course_for_instructor(session=session, course_id=course_id, user=user)
    return JoinCode(join_code=service.set_join_code(session=session, course=course, enabled=False))
