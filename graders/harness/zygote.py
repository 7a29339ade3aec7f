"""The warm worker inside the sandbox: imports once, then forks one confined child per session.

Run as `python -I -S -B -c "...; from harness.zygote import main; main(FD, SANDBOXED)"` with FD a
SOCK_SEQPACKET socket to the grader. The zygote answers "ready", then for every "spawn" request
(which carries the session socket and the output file as SCM_RIGHTS) forks:

    zygote ─ fork ─> A: unshare(PID, mount, IPC) ─ fork ─> B (PID 1 of a fresh PID namespace)

B makes its own /tmp, /dev/shm and /proc, sets rlimits, drops every capability, says "hello" to
the grader on the session socket (the kernel attaches its PID for the grader) and runs the
runner. A only waits for B. When the grader kills B, the kernel kills everything B started.
Student code never holds a descriptor of the zygote's control socket.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
import sys
from typing import Any

from . import confine, runner, wire

PREIMPORTS = (
    "asyncio", "concurrent.futures", "contextlib", "dataclasses", "functools", "heapq",
    "itertools", "json", "math", "queue", "random", "re", "threading", "time", "typing",
    "collections", "enum", "traceback", "weakref",
)  # fmt: skip
OPTIONAL_PREIMPORTS = (
    "tornado.web", "tornado.httpserver", "tornado.httpclient", "tornado.websocket",
    "tornado.ioloop", "tornado.platform.asyncio", "tornado.iostream",
)  # fmt: skip


def preimport() -> list[str]:
    import importlib

    for name in PREIMPORTS:
        importlib.import_module(name)
    loaded = []
    for name in OPTIONAL_PREIMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        loaded.append(name)
    return loaded


def become_session(request: dict[str, Any], session_fd: int, output_fd: int) -> None:
    """In the child B: confine, then serve the session. Never returns."""
    code = 0
    try:
        if request["sandboxed"]:
            confine.private_filesystem(int(request["tmp_bytes"]))
        os.setsid()
        devnull = os.open("/dev/null", os.O_RDONLY)
        confine.arrange_fds([(devnull, 0), (output_fd, 1), (output_fd, 2), (session_fd, 3)])
        confine.set_limits(request["limits"])
        if request["sandboxed"]:
            confine.drop_capabilities()
        confine.no_new_privileges()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        sock = socket.socket(fileno=3)
        sock.sendall(wire.encode({"op": wire.HELLO, "protocol": wire.PROTOCOL}))
        runner.serve(sock)
    except BaseException as exc:  # anything here is ours, not the student's: say so on stderr
        with contextlib.suppress(OSError):
            os.write(2, f"quizloop harness: {type(exc).__name__}: {exc}\n".encode())
        code = 70
    os._exit(code)


def spawn(request: dict[str, Any], session_fd: int, output_fd: int, control_fd: int) -> None:
    if os.fork() != 0:
        return
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.close(control_fd)
        if request["sandboxed"]:
            confine.unshare(confine.CLONE_NEWPID | confine.CLONE_NEWNS | confine.CLONE_NEWIPC)
            child = os.fork()
            if child != 0:
                os.close(session_fd)
                os.close(output_fd)
                os.waitpid(child, 0)
                os._exit(0)
        become_session(request, session_fd, output_fd)
    finally:
        os._exit(71)


def main(control_fd: int, sandboxed: bool) -> None:
    """Serve spawn requests until the grader closes the control socket."""
    loaded = preimport()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    control = socket.socket(fileno=control_fd)
    control.set_inheritable(False)
    gc.collect()
    gc.freeze()  # forked children then leave the warm heap's pages shared
    control.sendall(
        wire.encode({"op": "ready", "pid": os.getpid(), "uid": os.getuid(), "preloaded": loaded})
    )
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(control, wire.MAX_MESSAGE, 4)
        except InterruptedError:
            continue
        if not data:
            sys.exit(0)
        try:
            request = wire.decode(data)
            if request.get("op") != "spawn" or len(fds) != 2:
                raise wire.WireError("expected spawn with two descriptors")
            spawn(request, fds[0], fds[1], control_fd)
        except (OSError, wire.WireError, KeyError) as exc:
            control.sendall(wire.encode({"op": "spawn-failed", "error": f"{exc}"}))
        finally:
            for fd in fds:
                os.close(fd)
