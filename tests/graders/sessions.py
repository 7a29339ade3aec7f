"""Driving a sandboxed child by hand: a Session with arbitrary source, for engine-level tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from graders.engine.session import Session
from graders.sandbox.worker import ChildLimits, Worker


@contextmanager
def session_for(worker: Worker, source: str, *, threads: bool = False) -> Iterator[Session]:
    """A live session with `source` imported; killed afterwards."""
    child = worker.spawn(ChildLimits(processes=64 if threads else 1))
    session = Session(child, threads=threads)
    try:
        loaded = session.load(source, seed=0, deadline=5.0)
        assert loaded.ok, loaded
        yield session
    finally:
        session.child.kill()
        session.child.close_output()
