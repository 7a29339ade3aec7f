"""Log configuration: one format for quizloop's and uvicorn's loggers, each line tagged with
the id of the request it belongs to (`-` outside requests).

Usage:
    configure_logging("INFO")
    with request_id_context("3f2a..."):
        logger.info("...")        # ... [3f2a...] ...
"""

from __future__ import annotations

import logging
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = [
    "configure_logging",
    "current_request_id",
    "lighten_records",
    "log_config",
    "request_id_context",
]

_request_id: ContextVar[str] = ContextVar("quizloop_request_id", default="-")
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


def current_request_id() -> str:
    return _request_id.get()


@contextmanager
def request_id_context(request_id: str) -> Iterator[None]:
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (the format string needs it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


def log_config(level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for quizloop and uvicorn (also given to uvicorn.run)."""
    handler = {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"plain": {"format": FORMAT}},
        "handlers": {"stderr": {**handler, "stream": "ext://sys.stderr"}},
        "loggers": {
            "quizloop": {"handlers": ["stderr"], "level": level, "propagate": False},
            "api": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            # quizloop logs each request itself, with its id; uvicorn's access log would repeat it.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def lighten_records() -> None:
    """Stop collecting, for every log record, what FORMAT never prints: the calling file and
    line (a walk up the stack), the thread and the process names. These are the optimisations
    of the logging HOWTO; for a server logging a line per request they were a third of the cost
    of that line (bench/api.py). Process-wide, so it is for the server process only."""
    logging._srcfile = None  # the HOWTO's own switch for the caller's file and line
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def configure_logging(level: str) -> None:
    logging.config.dictConfig(log_config(level))
