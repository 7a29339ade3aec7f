"""The FastAPI application.

Usage:
    app = create_app(settings)            # tests, embedding
    uvicorn api.main:app                  # `app` is built on first access from the environment
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

import api
from api import health
from api.attempts import routes as attempts_routes
from api.attempts.lane import AttemptFastLane
from api.attempts.sweep import sweeper
from api.auth import routes as auth_routes
from api.banks import routes as banks_routes
from api.core import migrations
from api.core.config import Settings, SettingsError, get_settings
from api.core.db import create_db_engine
from api.core.logging import lighten_records
from api.courses import routes as courses_routes
from api.deps import get_current_user
from api.errors import (
    AccountDisabled,
    InvalidToken,
    NotAuthenticated,
    TokenExpired,
    problem_responses,
)
from api.gate import RequestGate
from api.gradebook import routes as gradebook_routes
from api.grading.runtime import grading_runtime
from api.middleware import BodySizeLimitMiddleware, RequestIdMiddleware
from api.overrides import routes as overrides_routes
from api.problems import install_error_handlers
from api.quizzes import routes as quizzes_routes
from api.regrades import routes as regrades_routes
from api.statistics import routes as statistics_routes
from api.submissions import routes as submissions_routes
from api.users import routes as users_routes
from api.web import mount_web

__all__ = ["create_app"]  # and `app`, built lazily by __getattr__

API_PREFIX = "/api/v1"
logger = logging.getLogger("quizloop")


def _api_router() -> APIRouter:
    api_router = APIRouter(prefix=API_PREFIX)
    api_router.include_router(auth_routes.public_router)
    # Everything else needs a signed-in user: a router added here is closed by default.
    signed_in = APIRouter(
        dependencies=[Depends(get_current_user)],
        responses=problem_responses(NotAuthenticated, InvalidToken, TokenExpired, AccountDisabled),
    )
    signed_in.include_router(auth_routes.router)
    signed_in.include_router(users_routes.router)
    signed_in.include_router(banks_routes.router)
    signed_in.include_router(courses_routes.router)
    signed_in.include_router(quizzes_routes.router)
    signed_in.include_router(attempts_routes.router)
    signed_in.include_router(submissions_routes.router)
    signed_in.include_router(regrades_routes.router)
    signed_in.include_router(overrides_routes.router)
    signed_in.include_router(gradebook_routes.router)
    signed_in.include_router(statistics_routes.router)
    api_router.include_router(signed_in)
    return api_router


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, serving: bool = False
) -> FastAPI:
    """The service, configured by `settings` (default: the environment), on `engine` (default:
    one made from `settings.database_url`). `serving`: the one app of a server process,
    which it then tunes for serving (see the lifespan)."""
    settings = settings or get_settings()
    owns_engine = engine is None
    engine = engine or create_db_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            migrations.ensure_current(engine)
        except OperationalError as exc:
            # Start anyway: /health reports the outage and requests fail cleanly until the
            # database is back.
            logger.error("database unreachable at start-up: %s", exc.__class__.__name__)
        async with (
            sweeper(engine),  # closes attempts left open past their deadline
            grading_runtime(settings, engine) as grading,  # QUIZLOOP_GRADING_BACKEND
        ):
            app.state.grading = grading
            if serving:
                # Everything built so far (modules, the app, the shipped bank, SQLAlchemy's
                # metadata) lives as long as the process, and each full collection of the
                # cyclic collector would walk all of it on the event loop: some 290,000
                # objects in bench/api.py's server, 77,000 once frozen (what requests made).
                gc.freeze()
                # Frozen, the heap left to collect is small, so full collections came ever
                # more often (23 in a 10 s PostgreSQL save run, 45-60 ms each on a loaded
                # machine). Young objects here die by reference counting: collect rarely.
                gc.set_threshold(50_000, 10, 10)
                lighten_records()  # a log line per request: only what the format prints
            yield
        if owns_engine:
            engine.dispose()

    app = FastAPI(
        title="quizloop",
        version=api.__version__,
        summary="Quizzes and concurrency-aware grading for a course on Python async backends.",
        lifespan=lifespan,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(_api_router())
    mount_web(app)  # the web frontend: pages at /, assets at /static
    # Added innermost first: CORS sees every response, request ids cover the 413 answer.
    app.add_middleware(RequestGate)  # no thread-pool starvation on connections or locks
    # Reading questions and saving answers from caches: see its docstring.
    app.add_middleware(AttemptFastLane, sqlite=engine.dialect.name == "sqlite")
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    return app


@cache
def _app_from_environment() -> FastAPI:
    try:
        return create_app(get_settings(), serving=True)
    except SettingsError as exc:
        # `uvicorn api.main:app` should stop with the message, not a traceback.
        print(f"quizloop: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def __getattr__(name: str) -> FastAPI:
    # Built lazily so importing this module (tests, tools) never reads the environment.
    if name == "app":
        return _app_from_environment()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
