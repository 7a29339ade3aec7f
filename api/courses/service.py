"""Courses and membership: creating courses, enrolling students (singly, from a CSV roster,
by join code), and the access rules every course-scoped route relies on.

Access: a course exists, for a user, only if they are a member of it: others (students and
instructors alike) get 404, so course ids cannot be probed. Members who are students get 403
on what only the course's instructors may do.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from api.courses.models import (
    Course,
    CourseCreate,
    CourseMember,
    CourseRole,
    CourseUpdate,
    MemberPublic,
)
from api.errors import FieldError, Forbidden, InvalidCsv, NotFound, ValidationFailed
from api.i18n import Text
from api.pagination import Page, paginate
from api.users import service as users
from api.users.models import Role, User
from api.users.roster import RosterRow, roster_error

__all__ = [
    "JOIN_CODE_ALPHABET",
    "CourseInstructorOnly",
    "add_member",
    "course_for_instructor",
    "course_for_member",
    "create_course",
    "enrol_roster",
    "join_by_code",
    "list_courses",
    "list_members",
    "member_counts",
    "membership",
    "new_join_code",
    "remove_member",
    "set_join_code",
    "update_course",
]

# No 0/O, 1/I/L: codes are read aloud and copied from slides.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


class CourseInstructorOnly(Forbidden):
    kind = "course-instructor-only"
    default_detail = Text(
        en="Only this course's instructors may do this.", zh="只有本课程的教师可以执行此操作。"
    )


NO_SUCH_COURSE = Text(en="No such course.", zh="没有这门课程。")


def membership(*, session: Session, course_id: int, user: User) -> CourseMember | None:
    """`user`'s membership of the course, if any."""
    return session.exec(
        select(CourseMember).where(
            CourseMember.course_id == course_id, CourseMember.user_id == user.id
        )
    ).first()


def course_for_member(*, session: Session, course_id: int, user: User) -> tuple[Course, CourseRole]:
    """The course and `user`'s role in it; NotFound unless they are a member."""
    member = membership(session=session, course_id=course_id, user=user)
    course = session.get(Course, course_id) if member else None
    if member is None or course is None:
        raise NotFound(NO_SUCH_COURSE)
    return course, member.role


def course_for_instructor(*, session: Session, course_id: int, user: User) -> Course:
    """The course if `user` teaches it; NotFound for non-members, 403 for its students."""
    course, role = course_for_member(session=session, course_id=course_id, user=user)
    if role != CourseRole.instructor:
        raise CourseInstructorOnly()
    return course


def create_course(*, session: Session, course_in: CourseCreate, instructor: User) -> Course:
    """A new course taught by `instructor`."""
    course = Course.model_validate(course_in, update={"created_by": instructor.id})
    session.add(course)
    session.flush()
    assert course.id is not None
    assert instructor.id is not None
    session.add(
        CourseMember(course_id=course.id, user_id=instructor.id, role=CourseRole.instructor)
    )
    session.flush()
    return course


def update_course(*, session: Session, course: Course, course_in: CourseUpdate) -> Course:
    course.sqlmodel_update(course_in.model_dump(exclude_unset=True, exclude_none=True))
    session.add(course)
    session.flush()
    return course


def list_courses(*, session: Session, user: User, page: Page) -> tuple[Sequence[Course], int]:
    """The courses `user` teaches or is enrolled in, by id."""
    statement = (
        select(Course)
        .join(CourseMember, col(CourseMember.course_id) == col(Course.id))
        .where(CourseMember.user_id == user.id)
        .order_by(col(Course.id))
    )
    return paginate(session, statement, page)


def member_counts(
    *, session: Session, course_ids: Sequence[int]
) -> dict[int, dict[CourseRole, int]]:
    """Students and instructors per course, in one query."""
    counts: dict[int, dict[CourseRole, int]] = {i: dict.fromkeys(CourseRole, 0) for i in course_ids}
    if course_ids:
        rows = session.exec(
            select(CourseMember.course_id, CourseMember.role, func.count())
            .where(col(CourseMember.course_id).in_(course_ids))
            .group_by(col(CourseMember.course_id), col(CourseMember.role))
        )
        for course_id, role, n in rows:
            counts[course_id][CourseRole(role)] = n
    return counts


def list_members(
    *, session: Session, course: Course, page: Page, role: CourseRole | None = None
) -> tuple[list[MemberPublic], int]:
    """Members by email, optionally of one role."""
    statement = (
        select(CourseMember, User)
        .join(User, col(User.id) == col(CourseMember.user_id))
        .where(CourseMember.course_id == course.id)
        .order_by(col(User.email))
    )
    if role is not None:
        statement = statement.where(CourseMember.role == role)
    total = session.exec(
        select(func.count()).select_from(statement.order_by(None).subquery())
    ).one()
    rows = session.exec(statement.offset(page.offset).limit(page.limit)).all()
    return [_member_public(m, u) for m, u in rows], int(total)


def _member_public(member: CourseMember, user: User) -> MemberPublic:
    assert user.id is not None
    return MemberPublic(
        user_id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=member.role,
        enrolled_at=member.enrolled_at,
    )


def _check_role(user: User, role: CourseRole) -> str | None:
    if role == CourseRole.student and user.role != Role.student:
        return f"{user.email} is an instructor account; add it as an instructor"
    if role == CourseRole.instructor and user.role != Role.instructor:
        return f"{user.email} is a student account; only instructors can teach a course"
    return None


def add_member(
    *, session: Session, course: Course, email: str, role: CourseRole
) -> tuple[MemberPublic, bool]:
    """Enrol (or add as instructor) the account registered with `email`: (member, created).
    Adding someone already in the course changes nothing."""
    user = users.get_user_by_email(session=session, email=email)
    if user is None:
        raise ValidationFailed(
            errors=[
                FieldError(
                    loc=["body", "email"],
                    msg=f"no account uses {email}; create it first (POST /api/v1/users) or "
                    "enrol from a CSV file, which creates missing accounts",
                    type="unknown_email",
                )
            ]
        )
    problem = _check_role(user, role)
    if problem:
        raise ValidationFailed(errors=[FieldError(loc=["body", "role"], msg=problem, type="role")])
    assert course.id is not None
    assert user.id is not None
    existing = membership(session=session, course_id=course.id, user=user)
    if existing is not None:
        return _member_public(existing, user), False
    member = CourseMember(course_id=course.id, user_id=user.id, role=role)
    try:
        with session.begin_nested():
            session.add(member)
    except IntegrityError:  # enrolled concurrently
        found = membership(session=session, course_id=course.id, user=user)
        assert found is not None
        return _member_public(found, user), False
    return _member_public(member, user), True


def remove_member(*, session: Session, course: Course, user_id: int, acting: User) -> None:
    """Take a user out of the course (their attempts are kept)."""
    member = session.exec(
        select(CourseMember).where(
            CourseMember.course_id == course.id, CourseMember.user_id == user_id
        )
    ).first()
    if member is None:
        raise NotFound(Text(en="This user is not in the course.", zh="该用户不在本课程中。"))
    if member.role == CourseRole.instructor:
        others = session.exec(
            select(func.count()).where(
                CourseMember.course_id == course.id,
                CourseMember.role == CourseRole.instructor,
                CourseMember.user_id != user_id,
            )
        ).one()
        if not others:
            raise ValidationFailed(
                errors=[
                    FieldError(
                        loc=["path", "user_id"],
                        msg="a course keeps at least one instructor",
                        type="last_instructor",
                    )
                ]
            )
    session.delete(member)
    session.flush()


def enrol_roster(
    *, session: Session, course: Course, rows: Sequence[RosterRow]
) -> tuple[list[MemberPublic], list[str], list[tuple[User, str | None]]]:
    """Enrol every row of a roster, all or none: (enrolled, already enrolled, accounts
    created). Rows naming instructor accounts are errors (InvalidCsv lists each line)."""
    emails = [row.email for row in rows]
    existing: dict[str, User] = {}
    for start in range(0, len(emails), 500):  # bounded IN lists
        chunk = emails[start : start + 500]
        existing.update(
            {u.email: u for u in session.exec(select(User).where(col(User.email).in_(chunk)))}
        )
    errors = [
        roster_error(
            row.line, "email", _check_role(existing[row.email], CourseRole.student) or "", "role"
        )
        for row in rows
        if row.email in existing and existing[row.email].role != Role.student
    ]
    if errors:
        raise InvalidCsv(errors=errors)
    created = (
        users.import_students(
            session=session, rows=[row for row in rows if row.email not in existing]
        )
        if any(row.email not in existing for row in rows)
        else []
    )
    by_email = existing | {user.email: user for user, _ in created}
    ids = [u.id for u in by_email.values()]
    enrolled_before: set[int] = set()
    for start in range(0, len(ids), 500):
        enrolled_before.update(
            session.exec(
                select(CourseMember.user_id).where(
                    CourseMember.course_id == course.id,
                    col(CourseMember.user_id).in_(ids[start : start + 500]),
                )
            )
        )
    assert course.id is not None
    new: list[tuple[CourseMember, User]] = []
    already: list[str] = []
    for row in rows:
        user = by_email[row.email]
        assert user.id is not None
        if user.id in enrolled_before:
            already.append(user.email)
            continue
        new.append(
            (CourseMember(course_id=course.id, user_id=user.id, role=CourseRole.student), user)
        )
    session.add_all([m for m, _ in new])
    session.flush()
    return [_member_public(m, u) for m, u in new], already, created


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def set_join_code(*, session: Session, course: Course, enabled: bool) -> str | None:
    """A fresh join code for the course (the old one stops working), or none."""
    course.join_code = new_join_code() if enabled else None
    session.add(course)
    session.flush()
    return course.join_code


def _normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def join_by_code(*, session: Session, code: str, student: User) -> Course:
    """Enrol `student` in the course whose join code this is (joining twice is harmless)."""
    if student.role != Role.student:
        raise Forbidden(
            Text(
                en="Join codes are for students; instructors are added by a course's instructors.",
                zh="加入码供学生使用；教师由课程教师添加。",
            )
        )
    course = session.exec(select(Course).where(Course.join_code == _normalize_code(code))).first()
    if course is None:
        raise NotFound(
            Text(
                en="No course has this join code. Check it with your instructor.",
                zh="没有课程使用这个加入码，请向教师确认。",
            )
        )
    add_member(session=session, course=course, email=student.email, role=CourseRole.student)
    return course
