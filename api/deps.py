"""The dependencies routes declare, as `Annotated` aliases.

Usage:
    @router.get("/quizzes")
    def list_quizzes(session: SessionDep, user: InstructorUser, lang: Lang) -> QuizzesPublic:
        ...
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from api.auth.service import user_for_bearer
from api.core.config import Settings
from api.core.db import get_session
from api.errors import InstructorOnly, NotAuthenticated
from api.i18n import Lang
from api.pagination import PageDep
from api.users.models import Role, User

__all__ = [
    "CurrentUser",
    "InstructorUser",
    "Lang",
    "PageDep",
    "SessionDep",
    "SettingsDep",
    "client_address",
    "get_current_user",
]

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 (a path)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]
# scope="function": the session commits before the response is sent, so a failed commit
# becomes an error response instead of a success the database never saw.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = OAuth2PasswordBearer(
    tokenUrl=TOKEN_URL,
    auto_error=False,
    description="An access token from the login endpoint, or a personal API token (qlp_...).",
)


def get_current_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(_bearer)]
) -> User:
    """The signed-in user; 401 without a valid bearer token, 403 for a disabled account."""
    if not token:
        raise NotAuthenticated()
    return user_for_bearer(session=session, settings=settings, token=token)


CurrentUser = Annotated[User, Depends(get_current_user)]


def _instructor(user: CurrentUser) -> User:
    if user.role != Role.instructor:
        raise InstructorOnly()
    return user


InstructorUser = Annotated[User, Depends(_instructor)]


def client_address(request: Request) -> str:
    """The client's address (behind a proxy, as uvicorn's --forwarded-allow-ips resolves it)."""
    return request.client.host if request.client else "unknown"
