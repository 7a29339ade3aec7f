"""Assertions on quizloop's problem+json error responses."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx


def assert_problem(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    """Assert `response` is a problem+json of `status` and `kind`; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:quizloop:problem:{kind}", body
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return body
