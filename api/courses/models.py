"""Courses: the course, its members (instructors and enrolled students), and their schemas.

Texts students read (course and quiz titles, descriptions) are `Bilingual`: written in zh-CN
and en, both required, and each request gets the one it asks for.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import AfterValidator, EmailStr
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow
from api.i18n import LANGUAGES, Language
from api.users.models import UserCreated

__all__ = [
    "Bilingual",
    "Course",
    "CourseCreate",
    "CourseForStudent",
    "CourseMember",
    "CoursePublic",
    "CourseRole",
    "CourseUpdate",
    "CoursesForStudent",
    "CoursesPublic",
    "Enrolled",
    "JoinCode",
    "JoinRequest",
    "MemberAdd",
    "MemberPublic",
    "MembersPublic",
    "localized",
]

MAX_TITLE = 200
MAX_DESCRIPTION = 4000


def _bilingual(max_length: int) -> AfterValidator:
    def check(value: dict[str, str]) -> dict[str, str]:
        missing = [lang for lang in LANGUAGES if not value.get(lang, "").strip()]
        if missing:
            raise ValueError(f"needs a text in {' and '.join(missing)} (students read both)")
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language {', '.join(unknown)}; use zh-CN and en")
        too_long = [lang for lang in LANGUAGES if len(value[lang]) > max_length]
        if too_long:
            raise ValueError(f"the {too_long[0]} text is longer than {max_length} characters")
        return {lang: value[lang].strip() for lang in LANGUAGES}

    return AfterValidator(check)


Bilingual = Annotated[dict[str, str], _bilingual(MAX_TITLE)]
"""`{"zh-CN": "...", "en": "..."}`: both languages, neither empty."""
BilingualLong = Annotated[dict[str, str], _bilingual(MAX_DESCRIPTION)]


def localized(text: dict[str, str] | None, lang: Language) -> str | None:
    """The text in `lang` (falling back to any language it has)."""
    if not text:
        return None
    return text.get(lang) or next(iter(text.values()))


class CourseRole(StrEnum):
    instructor = "instructor"
    student = "student"


class Course(SQLModel, table=True):
    __tablename__ = "courses"

    id: int | None = Field(default=None, primary_key=True)
    title: dict[str, str] = Field(sa_type=sa.JSON)
    description: dict[str, str] | None = Field(default=None, sa_type=sa.JSON)
    join_code: str | None = Field(default=None, max_length=16, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class CourseMember(SQLModel, table=True):
    """A user's place in a course: one of its instructors, or an enrolled student."""

    __tablename__ = "course_members"
    __table_args__ = (sa.UniqueConstraint("course_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="courses.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    role: CourseRole = Field(
        sa_type=sa.Enum(
            CourseRole, name="course_role", native_enum=False, create_constraint=True, length=16
        )
    )
    enrolled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class _Request(SQLModel):
    model_config = {"extra": "forbid"}


class CourseCreate(_Request):
    title: Bilingual
    description: BilingualLong | None = None


class CourseUpdate(_Request):
    title: Bilingual | None = None
    description: BilingualLong | None = None


class CoursePublic(SQLModel):
    """A course as its instructors see it."""

    id: int
    title: dict[str, str]
    description: dict[str, str] | None
    join_code: str | None
    created_at: datetime
    students: int
    instructors: int
    your_role: CourseRole


class CoursesPublic(SQLModel):
    data: list[CoursePublic]
    count: int


class CourseForStudent(SQLModel):
    """A course as an enrolled student sees it: in their language, no join code, no roster."""

    id: int
    title: str
    description: str | None
    your_role: CourseRole


class CoursesForStudent(SQLModel):
    data: list[CourseForStudent]
    count: int


class MemberAdd(_Request):
    email: EmailStr = Field(max_length=254)
    role: CourseRole = CourseRole.student


class MemberPublic(SQLModel):
    user_id: int
    email: str
    full_name: str
    role: CourseRole
    enrolled_at: datetime


class MembersPublic(SQLModel):
    data: list[MemberPublic]
    count: int


class Enrolled(SQLModel):
    """The outcome of a CSV enrolment."""

    enrolled: list[MemberPublic]
    """Newly enrolled, in file order."""
    already_enrolled: list[str]
    """Emails of students who were enrolled before (left as they were)."""
    accounts_created: list[UserCreated]
    """Accounts created for emails that had none; `initial_password` shown this once."""


class JoinCode(SQLModel):
    join_code: str | None


class JoinRequest(_Request):
    code: str = Field(min_length=4, max_length=32)
