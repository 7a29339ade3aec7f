"""Fake services the grader runs for scenarios: a web of URLs, files read by blocking calls.

Each fake answers a Request with a Reply (value, error, latency). Bodies are random bytes drawn
from the OS for every scenario: nobody can guess them, so a correct result proves the student's
code really fetched them. Argument checks are defensive: the arguments come from student code.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..engine.model import Reply, Request
from ..harness.wire import ExcInfo

BODY_BYTES = 16


def type_error(message: str) -> Reply:
    return Reply(0.0, error=ExcInfo("TypeError", args=(message,)))


class Web:
    """URLs with bodies, latencies (virtual seconds) and failures."""

    def __init__(
        self,
        urls: Sequence[str],
        latencies: Sequence[float],
        failures: dict[str, ExcInfo] | None = None,
    ) -> None:
        self.urls = list(urls)
        self.latency = dict(zip(urls, latencies, strict=True))
        self.bodies = {url: secrets.token_bytes(BODY_BYTES) for url in urls}
        self.failures = failures or {}
        self.fetched: list[str] = []

    def fetch(self, request: Request) -> Reply:
        if len(request.args) != 1 or not isinstance(request.args[0], str):
            return type_error("fetch() takes one argument: a URL (str)")
        url = request.args[0]
        if url not in self.bodies:
            return Reply(0.0, error=ExcInfo("ValueError", args=(f"unknown URL {url!r}",)))
        self.fetched.append(url)
        if url in self.failures:
            return Reply(self.latency[url], error=self.failures[url])
        return Reply(self.latency[url], value=self.bodies[url])

    def source_of(self, body: Any) -> int | None:
        """The index of the URL whose body this is, if any."""
        for index, url in enumerate(self.urls):
            if body == self.bodies[url]:
                return index
        return None

    def times_fetched(self) -> dict[str, int]:
        counts = dict.fromkeys(self.urls, 0)
        for url in self.fetched:
            counts[url] += 1
        return counts


def make_urls(rng: Any, count: int, prefix: str = "https://example.test") -> list[str]:
    words = ("alpha", "bravo", "delta", "echo", "kilo", "lima", "oscar", "sierra", "tango")
    return [f"{prefix}/{rng.choice(words)}/{index}" for index in range(count)]


def describe_type(value: Any) -> str:
    """A language-neutral name for what the student's code returned."""
    if value is None:
        return "None"
    name = getattr(value, "type", None)
    if isinstance(name, str) and type(value).__name__ == "Opaque":
        return name
    return type(value).__name__


def fetch_error(text: str) -> ExcInfo:
    return ExcInfo("ConnectionError", args=(text,))


def compare_bodies(web: Web, value: Any, urls: Sequence[str]) -> tuple[str, dict[str, Any]] | None:
    """Why `value` is not the list of bodies of `urls` in order (reason, params), or None."""
    if not isinstance(value, list):
        return "not-a-list", {"type": describe_type(value)}
    if len(value) != len(urls):
        return "wrong-length", {"got": len(value), "expected": len(urls)}
    for index, (url, body) in enumerate(zip(urls, value, strict=True)):
        if body != web.bodies[url]:
            other = web.source_of(body)
            if other is not None:
                return "swapped", {"index": index, "other": other}
            return "wrong-body", {"index": index, "type": describe_type(body)}
    return None


def same_bodies(web: Web, value: Any, urls: Sequence[str]) -> bool:
    """Whether `value` is a list holding exactly the bodies of `urls`, in any order."""
    if not isinstance(value, list) or len(value) != len(urls):
        return False
    try:
        return Counter(value) == Counter(web.bodies[url] for url in urls)
    except TypeError:  # unhashable items: certainly not bodies
        return False
