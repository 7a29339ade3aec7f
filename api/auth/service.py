"""Signing in and resolving bearer tokens; personal API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlmodel import Session, col, select

from api.auth import ratelimit
from api.auth.models import ApiToken, ApiTokenCreate
from api.auth.passwords import hash_password, needs_rehash, verify_password, verify_unknown_user
from api.auth.tokens import decode_access_token, hash_api_token, is_api_token, new_api_token
from api.core.config import Settings
from api.core.db import utcnow
from api.errors import AccountDisabled, InvalidCredentials, InvalidToken, NotFound, TokenExpired
from api.i18n import Text
from api.pagination import Page, paginate
from api.users.models import User, normalize_email

__all__ = [
    "authenticate",
    "create_api_token",
    "list_api_tokens",
    "revoke_api_token",
    "user_for_bearer",
]

# Writing last_used_at on every request would turn reads into writes; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def authenticate(
    *, session: Session, settings: Settings, email: str, password: str, address: str
) -> User:
    """The user with these credentials, within the login rate limits.

    Raises `LoginRateLimited`, `InvalidCredentials` (the failure is flushed: the caller must
    commit it even though the request fails) or `AccountDisabled`.
    """
    ratelimit.check_login_allowed(
        session=session, account=email, address=address, settings=settings
    )
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    if user is None:
        verify_unknown_user(password)
    if user is None or not verify_password(user.hashed_password, password):
        ratelimit.record_login_failure(
            session=session, account=email, address=address, settings=settings
        )
        raise InvalidCredentials()
    if not user.is_active:
        raise AccountDisabled()
    ratelimit.clear_login_failures(session=session, account=email)
    if needs_rehash(user.hashed_password):
        user.hashed_password = hash_password(password)
        session.add(user)
        session.flush()
    return user


def user_for_bearer(*, session: Session, settings: Settings, token: str) -> User:
    """The active user a bearer token (access token or personal API token) belongs to."""
    if is_api_token(token):
        user = _user_for_api_token(session, token)
    else:
        found = session.get(User, decode_access_token(token, settings=settings))
        if found is None:  # a valid signature for an account deleted since
            raise InvalidToken()
        user = found
    if not user.is_active:
        raise AccountDisabled()
    return user


def _user_for_api_token(session: Session, token: str) -> User:
    api_token = session.exec(
        select(ApiToken).where(ApiToken.token_hash == hash_api_token(token))
    ).first()
    now = utcnow()
    if api_token is None or api_token.revoked_at is not None:
        raise InvalidToken()
    if api_token.expires_at is not None and api_token.expires_at <= now:
        raise TokenExpired(
            Text(
                en="This API token has expired. Create a new one.",
                zh="此 API 令牌已过期，请新建一个。",
            )
        )
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
        api_token.last_used_at = now
        session.add(api_token)
        session.flush()
    user = session.get(User, api_token.user_id)
    if user is None:  # pragma: no cover - the foreign key cascades deletes
        raise InvalidToken()
    return user


def create_api_token(
    *, session: Session, user: User, token_in: ApiTokenCreate
) -> tuple[ApiToken, str]:
    """A new personal API token for `user` and its secret (returned only here)."""
    secret, prefix, token_hash = new_api_token()
    expires_at = None
    if token_in.expires_in_days is not None:
        expires_at = utcnow() + timedelta(days=token_in.expires_in_days)
    assert user.id is not None
    api_token = ApiToken(
        user_id=user.id,
        name=token_in.name.strip(),
        prefix=prefix,
        token_hash=token_hash,
        expires_at=expires_at,
    )
    session.add(api_token)
    session.flush()
    return api_token, secret


def list_api_tokens(*, session: Session, user: User, page: Page) -> tuple[Sequence[ApiToken], int]:
    """`user`'s personal API tokens, newest first, revoked ones included."""
    statement = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    )
    return paginate(session, statement, page)


def revoke_api_token(*, session: Session, user: User, token_id: int) -> None:
    """Stop one of `user`'s API tokens from working (idempotent)."""
    api_token = session.get(ApiToken, token_id)
    if api_token is None or api_token.user_id != user.id:
        raise NotFound(Text(en="No such API token.", zh="没有这个 API 令牌。"))
    if api_token.revoked_at is None:
        api_token.revoked_at = utcnow()
        session.add(api_token)
        session.flush()
