"""Static assets (scripts, stylesheet, the vendored editor bundle) served by the app itself.

Browsers revalidate every file (ETag, 304) instead of caching blindly: the scripts import
each other by plain relative URLs, so a stale module could otherwise meet a fresh one.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["StaticAssets", "static_dir"]


def static_dir() -> Path:
    return Path(__file__).resolve().parent / "static"


class StaticAssets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
