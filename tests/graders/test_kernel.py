"""The kernel's view of a process's threads (graders/engine/kernel.py), read from /proc for a
real Python process whose threads wait in known ways: an idle asyncio loop, a blocking read,
time.sleep, untimed and timed waits on a lock, a spinning thread."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from graders.engine import kernel
from graders.engine.kernel import LoopState, ThreadView

pytestmark = pytest.mark.skipif(
    not kernel.available(), reason="the kernel's view of threads is not readable here"
)

# The main thread does MAIN; one other thread does OTHER (or none). "ready" is printed when set.
PROGRAM = """
import asyncio, socket, sys, threading, time

event = threading.Event()
reader, writer = socket.socketpair()
others = {
    "none": None,
    "waits": lambda: event.wait(),
    "waits-with-timeout": lambda: event.wait(3600),
    "sleeps": lambda: time.sleep(3600),
    "reads": lambda: reader.recv(1),
    "spins": lambda: [None for _ in iter(int, 1)],
}
mains = {
    "idle-loop": lambda: asyncio.new_event_loop().run_forever(),
    "reads": lambda: reader.recv(1),
    "sleeps": lambda: time.sleep(3600),
    "selects-with-timeout": lambda: __import__("select").select([reader], [], [], 3600),
}
other = others[sys.argv[2]]
if other is not None:
    threading.Thread(target=other, daemon=True).start()
print("ready", flush=True)
mains[sys.argv[1]]()
"""


@contextmanager
def process(main: str, other: str) -> Iterator[int]:
    with subprocess.Popen(
        [sys.executable, "-c", PROGRAM, main, other], stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            yield child.pid
        finally:
            child.kill()


def view_once_waiting(pid: int, quiet: bool) -> ThreadView:
    """The view once the threads have reached their waits (they start right after "ready"):
    as soon as it is quiet when it should become so, after a moment otherwise."""
    deadline = time.monotonic() + (5.0 if quiet else 0.2)
    while True:
        view = ThreadView.of(pid)
        assert view is not None
        if (quiet and view.quiet) or time.monotonic() > deadline:
            return view
        time.sleep(0.01)


@pytest.mark.parametrize(
    ("main", "loop"),
    [
        ("idle-loop", LoopState.IDLE),
        ("reads", LoopState.BLOCKED),
        ("sleeps", LoopState.BUSY),
        ("selects-with-timeout", LoopState.BUSY),
    ],
)
def test_the_main_thread_is_idle_only_in_epoll_without_a_timeout(
    main: str, loop: LoopState
) -> None:
    with process(main, "none") as pid:
        view = view_once_waiting(pid, quiet=loop is not LoopState.BUSY)
    assert view.loop is loop
    assert view.others_quiet
    assert view.threads == 1


@pytest.mark.parametrize(
    ("other", "quiet"),
    [
        ("waits", True),
        ("reads", True),
        ("waits-with-timeout", False),
        ("sleeps", False),
        ("spins", False),
    ],
)
def test_other_threads_are_quiet_only_in_waits_without_a_timeout(other: str, quiet: bool) -> None:
    with process("idle-loop", other) as pid:
        view = view_once_waiting(pid, quiet)
    assert view.loop is LoopState.IDLE or other == "spins"  # a spinner may hold the GIL
    assert view.others_quiet is quiet
    assert view.threads == 2


def test_a_process_that_is_gone_has_no_view() -> None:
    with process("sleeps", "none") as pid:
        pass
    assert ThreadView.of(pid) is None
