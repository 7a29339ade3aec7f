"""/health: whether this process can reach its database (for load balancers and operators)."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

import api

router = APIRouter(tags=["health"])
logger = logging.getLogger("quizloop.health")


class Health(SQLModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]
    version: str


def database_reachable(engine: Engine) -> bool:
    """Whether a fresh round trip to the database succeeds."""
    try:
        # AUTOCOMMIT: a health check must not queue behind SQLite's write lock.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("database unreachable: %s", exc.__class__.__name__)
        return False
    return True


@router.get(
    "/health",
    responses={503: {"model": Health, "description": "The database is unreachable."}},
)
def health(request: Request, response: Response) -> Health:
    """200 when the service and its database answer, 503 when the database does not."""
    if database_reachable(request.app.state.engine):
        return Health(status="ok", database="ok", version=api.__version__)
    response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(status="unavailable", database="unreachable", version=api.__version__)
