"""The web quiz frontend: pages for students and instructors at `/`, on the REST API.

Public surface:
    mount_web(app)      pages at /, static files at /static, helper routes at /web/api
    Messages            the zh-CN/en message catalogue (messages.toml)

Usage:
    app = FastAPI()
    mount_web(app)
"""

from __future__ import annotations

from fastapi import FastAPI

from api.web.assignments import router as helper_router
from api.web.messages import Messages, get_messages
from api.web.pages import router as pages_router
from api.web.static import StaticAssets, static_dir

__all__ = ["Messages", "mount_web"]


def mount_web(app: FastAPI) -> None:
    """Serve the frontend from `app`: its pages, static assets and helper routes."""
    get_messages()  # a malformed catalogue stops start-up here, not on a student's first page
    app.include_router(helper_router)
    app.include_router(pages_router)
    app.mount("/static", StaticAssets(directory=static_dir()), name="static")
