"""Which real services this machine offers the tests, and what to do when one is missing.

A test that needs PostgreSQL, Redis, bubblewrap or a browser calls `unavailable(...)` when the
service cannot be reached: it skips with the reason, or fails when QUIZLOOP_REQUIRE_SERVICES=1
(CI sets it, so a missing service can never turn a red run green).
"""

from __future__ import annotations

import os
import shutil
import socket
from typing import NoReturn

import pytest

POSTGRES_URL = os.environ.get(
    "QUIZLOOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("QUIZLOOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def services_required() -> bool:
    return os.environ.get("QUIZLOOP_REQUIRE_SERVICES") == "1"


def unavailable(service: str, reason: str) -> NoReturn:
    """Skip the test, or fail it when services are required."""
    if services_required():
        pytest.fail(f"{service} is required (QUIZLOOP_REQUIRE_SERVICES=1) but {reason}")
    pytest.skip(f"{service} unavailable: {reason}")


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_postgres() -> str:
    """The PostgreSQL URL for tests, or skip/fail when the server is unreachable."""
    if not port_open("127.0.0.1", 5432):
        unavailable("PostgreSQL", "nothing listens on 127.0.0.1:5432")
    return POSTGRES_URL


def require_redis() -> str:
    """The Redis URL for tests, or skip/fail when the server is unreachable."""
    if not port_open("127.0.0.1", 6379):
        unavailable("Redis", "nothing listens on 127.0.0.1:6379")
    return REDIS_URL


def require_bwrap() -> str:
    """The bubblewrap executable, or skip/fail when it is not installed."""
    path = shutil.which("bwrap")
    if path is None:
        unavailable("bubblewrap", "`bwrap` is not on PATH (Debian package: bubblewrap)")
    return path


def require_chromium() -> str:
    """A headless Chromium executable, or skip/fail when none is installed."""
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path is not None:
            return path
    unavailable("Chromium", "no chromium executable on PATH (Debian package: chromium)")
