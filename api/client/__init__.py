"""quizloop's Python client: the API from instructors' scripts (and students' tools), typed,
synchronous (`Client`) or asynchronous (`AsyncClient`), over httpx.

Usage:
    from api.client import Client, NotFound

    with Client() as client:            # QUIZLOOP_URL / QUIZLOOP_TOKEN, or a config profile
        book = client.gradebook(quiz_id)
        for row in book.rows:
            print(row.email, row.total)

See api/client/client.py for the methods, errors.py for what they raise, config.py for where
the URL and token come from.
"""

from api.client.async_client import AsyncClient
from api.client.client import Client
from api.client.config import Profile, config_path, resolve_profile, save_profile
from api.client.errors import (
    APIError,
    BadRequest,
    ConfigError,
    Conflict,
    FieldProblem,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    QuizloopError,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
    ValidationError,
    WatchTimeout,
)
from api.client.models import Page

__all__ = [
    "APIError",
    "AsyncClient",
    "BadRequest",
    "Client",
    "ConfigError",
    "Conflict",
    "FieldProblem",
    "Forbidden",
    "NotFound",
    "Page",
    "PayloadTooLarge",
    "Profile",
    "QuizloopError",
    "RateLimited",
    "ServerError",
    "TransportError",
    "Unauthorized",
    "UnexpectedResponse",
    "ValidationError",
    "WatchTimeout",
    "config_path",
    "resolve_profile",
    "save_profile",
]
