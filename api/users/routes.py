"""/api/v1/users: the signed-in account, and instructors' management of accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile, status

from api.deps import CurrentUser, InstructorUser, PageDep, SessionDep
from api.errors import (
    Conflict,
    EmailTaken,
    InstructorOnly,
    InvalidCsv,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
    problem_responses,
)
from api.users import service
from api.users.models import (
    PasswordChange,
    Role,
    UserCreate,
    UserCreated,
    UserPublic,
    UsersImported,
    UsersPublic,
    UserUpdate,
)
from api.users.roster import parse_roster

router = APIRouter(prefix="/users", tags=["users"])

_INSTRUCTOR = (InstructorOnly,)


@router.get("/me", responses=problem_responses())
def read_me(user: CurrentUser) -> UserPublic:
    """Your own account."""
    return UserPublic.model_validate(user)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(ValidationFailed),
)
def change_my_password(session: SessionDep, user: CurrentUser, change: PasswordChange) -> None:
    """Change your password; the current one is required."""
    service.change_password(session=session, user=user, change=change)


@router.get("", responses=problem_responses(*_INSTRUCTOR, ValidationFailed))
def list_users(
    session: SessionDep,
    _: InstructorUser,
    page: PageDep,
    role: Annotated[Role | None, Query(description="Only accounts of this role.")] = None,
) -> UsersPublic:
    """All accounts, ordered by email (instructors only)."""
    users, count = service.list_users(session=session, page=page, role=role)
    return UsersPublic(data=[UserPublic.model_validate(u) for u in users], count=count)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(*_INSTRUCTOR, EmailTaken, ValidationFailed),
)
def create_user(session: SessionDep, _: InstructorUser, user_in: UserCreate) -> UserCreated:
    """Create an account (a student unless `role` says otherwise). Without a password, one is
    generated and returned once as `initial_password`."""
    user, generated = service.create_user(session=session, user_in=user_in)
    return UserCreated.model_validate(user, update={"initial_password": generated})


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(*_INSTRUCTOR, InvalidCsv, PayloadTooLarge),
)
def import_students(
    session: SessionDep,
    _: InstructorUser,
    file: Annotated[UploadFile, File(description="CSV: email, full_name, password (optional)")],
) -> UsersImported:
    """Create student accounts from a CSV roster, all or none. Rows without a password get a
    generated one, returned once as `initial_password`."""
    rows = parse_roster(file.file.read())
    created = service.import_students(session=session, rows=rows)
    return UsersImported(
        data=[
            UserCreated.model_validate(user, update={"initial_password": password})
            for user, password in created
        ],
        count=len(created),
    )


@router.get("/{user_id}", responses=problem_responses(*_INSTRUCTOR, NotFound))
def read_user(session: SessionDep, _: InstructorUser, user_id: int) -> UserPublic:
    """One account (instructors only)."""
    return UserPublic.model_validate(service.get_user(session=session, user_id=user_id))


@router.patch(
    "/{user_id}",
    responses=problem_responses(*_INSTRUCTOR, NotFound, Conflict, ValidationFailed),
)
def update_user(
    session: SessionDep, instructor: InstructorUser, user_id: int, user_in: UserUpdate
) -> UserPublic:
    """Rename an account or enable/disable it (instructors only)."""
    user = service.get_user(session=session, user_id=user_id)
    updated = service.update_user(session=session, user=user, user_in=user_in, acting=instructor)
    return UserPublic.model_validate(updated)
