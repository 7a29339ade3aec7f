"""Bearer tokens: short-lived signed access tokens (JWT, HS256) and personal API tokens.

An access token names its user (`sub`) and expires after `access_token_minutes`. A personal
API token is `qlp_` + 43 random characters; only its SHA-256 is stored, and its first
characters (the prefix) are kept to show in lists.

Usage:
    token, ttl = issue_access_token(user_id=7, settings=settings)
    decode_access_token(token, settings=settings)  # 7, or raises InvalidToken/TokenExpired
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import jwt

from api.core.config import Settings
from api.core.db import utcnow
from api.errors import InvalidToken, TokenExpired

__all__ = [
    "API_TOKEN_PREFIX",
    "decode_access_token",
    "hash_api_token",
    "is_api_token",
    "issue_access_token",
    "new_api_token",
]

ALGORITHM = "HS256"
ISSUER = "quizloop"
AUDIENCE = "quizloop-api"
API_TOKEN_PREFIX = "qlp_"  # noqa: S105 (a marker, not a secret)
API_TOKEN_SHOWN_CHARS = 12  # "qlp_" and 8 random characters


def issue_access_token(*, user_id: int, settings: Settings) -> tuple[str, int]:
    """A signed access token for `user_id` and its lifetime in seconds."""
    now = utcnow()
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": str(user_id),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "typ": "access",
    }
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


def decode_access_token(token: str, *, settings: Settings) -> int:
    """The user id an access token names; `TokenExpired` or `InvalidToken` otherwise."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[ALGORITHM],  # never trust the token's own `alg`
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            leeway=5,
        )
    except jwt.ExpiredSignatureError:
        raise TokenExpired() from None
    except jwt.PyJWTError:
        raise InvalidToken() from None
    subject = claims.get("sub")
    if claims.get("typ") != "access" or not isinstance(subject, str) or not subject.isdigit():
        raise InvalidToken()
    return int(subject)


def is_api_token(token: str) -> bool:
    return token.startswith(API_TOKEN_PREFIX)


def new_api_token() -> tuple[str, str, str]:
    """A fresh personal API token: (secret, shown prefix, stored hash)."""
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return secret, secret[:API_TOKEN_SHOWN_CHARS], hash_api_token(secret)


def hash_api_token(token: str) -> str:
    # A plain hash is enough: the token has 256 random bits, so there is nothing to brute-force,
    # and a deterministic hash lets us look the token up by index.
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()
