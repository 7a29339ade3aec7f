"""Users: the `users` table and the schemas the API reads and writes.

Request schemas forbid unknown fields (a typo is an error, not a silently ignored key); no
public schema carries the password hash.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import EmailStr, field_validator
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "PasswordChange",
    "Role",
    "User",
    "UserCreate",
    "UserCreated",
    "UserPublic",
    "UserUpdate",
    "UsersImported",
    "UsersPublic",
]

MIN_PASSWORD_LENGTH = 8
# argon2 hashes any length, but a megabyte "password" is a cheap way to burn CPU.
MAX_PASSWORD_LENGTH = 256


class Role(StrEnum):
    instructor = "instructor"
    student = "student"


def normalize_email(email: str) -> str:
    """The form emails are stored and looked up in: trimmed, lower-case."""
    return email.strip().lower()


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(default="", max_length=200)
    role: Role = Field(
        sa_type=sa.Enum(Role, name="role", native_enum=False, create_constraint=True, length=16)
    )
    hashed_password: str = Field(max_length=255)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class _Request(SQLModel):
    model_config = {"extra": "forbid"}


class UserCreate(_Request):
    """A new account. Without a password, one is generated and returned once."""

    email: EmailStr = Field(max_length=254)
    full_name: str = Field(default="", max_length=200)
    role: Role = Role.student
    password: str | None = Field(
        default=None, min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH
    )

    @field_validator("email", mode="after")
    @classmethod
    def _normalize(cls, value: str) -> str:
        return normalize_email(value)

    @field_validator("full_name", mode="after")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class UserUpdate(_Request):
    """An instructor's change to an account; omitted fields stay as they are."""

    full_name: str | None = Field(default=None, max_length=200)
    is_active: bool | None = None


class PasswordChange(_Request):
    current_password: str = Field(max_length=MAX_PASSWORD_LENGTH)
    new_password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


class UserPublic(SQLModel):
    id: int
    email: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime


class UserCreated(UserPublic):
    """A created account; `initial_password` is set only when quizloop generated it."""

    initial_password: str | None = None


class UsersPublic(SQLModel):
    data: list[UserPublic]
    count: int


class UsersImported(SQLModel):
    data: list[UserCreated]
    count: int
