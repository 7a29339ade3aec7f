"""/api/v1/auth: signing in (OAuth2 password flow) and personal API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import service
from api.auth.models import (
    AccessToken,
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenPublic,
    ApiTokensPublic,
)
from api.auth.tokens import issue_access_token
from api.deps import InstructorUser, PageDep, SessionDep, SettingsDep, client_address
from api.errors import (
    AccountDisabled,
    InstructorOnly,
    InvalidCredentials,
    LoginRateLimited,
    NotFound,
    ValidationFailed,
    problem_responses,
)

# Reachable without a token: the only such route under /api/v1.
public_router = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(prefix="/auth", tags=["auth"])


@public_router.post(
    "/token",
    responses=problem_responses(
        InvalidCredentials, AccountDisabled, LoginRateLimited, ValidationFailed
    ),
)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> AccessToken:
    """Sign in with email (as `username`) and password; returns a short-lived bearer token."""
    try:
        user = service.authenticate(
            session=session,
            settings=settings,
            email=form.username,
            password=form.password,
            address=client_address(request),
        )
    except InvalidCredentials:
        # The failure must count towards the rate limit even though this request fails,
        # and a failing request's transaction is rolled back: so commit it here.
        session.commit()
        raise
    assert user.id is not None
    token, lifetime = issue_access_token(user_id=user.id, settings=settings)
    return AccessToken(access_token=token, expires_in=lifetime)


@router.get("/api-tokens", responses=problem_responses(InstructorOnly, ValidationFailed))
def list_api_tokens(session: SessionDep, user: InstructorUser, page: PageDep) -> ApiTokensPublic:
    """Your personal API tokens, newest first (their secrets are never shown again)."""
    tokens, count = service.list_api_tokens(session=session, user=user, page=page)
    return ApiTokensPublic(data=[ApiTokenPublic.model_validate(t) for t in tokens], count=count)


@router.post(
    "/api-tokens",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(InstructorOnly, ValidationFailed),
)
def create_api_token(
    session: SessionDep, user: InstructorUser, token_in: ApiTokenCreate
) -> ApiTokenCreated:
    """Create a personal API token for scripts. The secret is in this response only."""
    api_token, secret = service.create_api_token(session=session, user=user, token_in=token_in)
    return ApiTokenCreated.model_validate(api_token, update={"token": secret})


@router.delete(
    "/api-tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(InstructorOnly, NotFound),
)
def revoke_api_token(session: SessionDep, user: InstructorUser, token_id: int) -> None:
    """Revoke one of your personal API tokens; it stops working at once."""
    service.revoke_api_token(session=session, user=user, token_id=token_id)
