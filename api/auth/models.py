"""Auth tables and schemas: personal API tokens and the login-attempt log used for rate limits."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow

__all__ = [
    "AccessToken",
    "ApiToken",
    "ApiTokenCreate",
    "ApiTokenCreated",
    "ApiTokenPublic",
    "ApiTokensPublic",
    "LoginAttempt",
]

MAX_API_TOKEN_DAYS = 3650


class AccessToken(SQLModel):
    """The OAuth2 token response (RFC 6749 section 5.1)."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int


class ApiToken(SQLModel, table=True):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once at creation."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiTokenCreate(SQLModel):
    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(
        default=90,
        ge=1,
        le=MAX_API_TOKEN_DAYS,
        description="Days until the token stops working; null for a token that never expires.",
    )


class ApiTokenPublic(SQLModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenPublic):
    token: str = Field(description="The secret. Shown only in this response; store it now.")


class ApiTokensPublic(SQLModel):
    data: list[ApiTokenPublic]
    count: int


class LoginAttempt(SQLModel, table=True):
    """One failed login, kept for the rate-limit window.

    A table rather than process memory, so the limits hold across several uvicorn processes
    on SQLite and PostgreSQL alike.
    """

    __tablename__ = "login_attempts"

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
