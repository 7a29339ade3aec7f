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


class Files:
    """Paths with contents and read durations, read by a blocking call."""

    def __init__(self, paths: Sequence[str], durations: Sequence[float]) -> None:
        self.paths = list(paths)
        self.duration = dict(zip(paths, durations, strict=True))
        self.contents = {path: secrets.token_bytes(BODY_BYTES) for path in paths}
        self.read: list[str] = []

    def read_blocking(self, request: Request) -> Reply:
        if len(request.args) != 1 or not isinstance(request.args[0], str):
            return type_error("read_blocking() takes one argument: a path (str)")
        path = request.args[0]
        if path not in self.contents:
            return Reply(0.0, error=ExcInfo("FileNotFoundError", args=(2, "No such file", path)))
        self.read.append(path)
        return Reply(self.duration[path], value=self.contents[path])

    def as_web(self) -> Web:
        """The same data seen as a Web, to reuse the comparison helpers."""
        web = Web(self.paths, [self.duration[p] for p in self.paths])
        web.bodies = dict(self.contents)
        web.fetched = list(self.read)
        return web


def make_paths(rng: Any, count: int) -> list[str]:
    names = ("notes", "grades", "roster", "log", "cache", "index", "backup", "report")
    return [f"/data/{rng.choice(names)}-{index}.bin" for index in range(count)]


class Store:
    """Account balances behind `await store.get(account)` and `await store.set(account, n)`.

    A request takes effect when it completes (a read sees the balance at that moment), which is
    what makes the order of completions matter. Every write is recorded.
    """

    def __init__(self, balances: dict[str, int], latency: float = 0.01) -> None:
        self.initial = dict(balances)
        self.balances = dict(balances)
        self.latency = latency
        self.negative: list[tuple[str, int]] = []

    @property
    def total(self) -> int:
        return sum(self.balances.values())

    def _account(self, request: Request, arity: int) -> str | Reply:
        if len(request.args) != arity or not isinstance(request.args[0], str):
            return type_error(f"{request.stub}() takes {arity} argument(s), the first an account")
        account: str = request.args[0]
        if account not in self.balances:
            return Reply(self.latency, error=ExcInfo("KeyError", args=(account,)))
        return account

    def get(self, request: Request) -> Reply:
        account = self._account(request, 1)
        if isinstance(account, Reply):
            return account
        return Reply(self.latency, effect=lambda: self.balances[account])

    def set(self, request: Request) -> Reply:
        account = self._account(request, 2)
        if isinstance(account, Reply):
            return account
        balance = request.args[1]
        if not isinstance(balance, int) or isinstance(balance, bool):
            return type_error("store.set(account, balance): balance must be an int")

        def write() -> None:
            self.balances[account] = balance
            if balance < 0:
                self.negative.append((account, balance))

        return Reply(self.latency, effect=write)


def show_balances(balances: dict[str, int]) -> str:
    return ", ".join(f"{account}={amount}" for account, amount in sorted(balances.items()))
