"""The warm worker inside the sandbox: imports once, then forks one confined child per session.

Run as `python -I -S -B -c "...; from harness.zygote import main; main(FD, SANDBOXED, TMP)"`
with FD a SOCK_SEQPACKET socket to the grader (see graders/sandbox/layout.py). The zygote answers
"ready", then keeps one child prepared ahead of need and hands it each "spawn" request (which
carries the session socket and the output file as SCM_RIGHTS), preparing the next one while the
grader works:

    zygote (PID 1 of its own namespace): unshare(PID) ─ fork ─> B, setns(back)
    B (PID 1 of a fresh PID namespace): unshare(mount, IPC), own /tmp, /dev/shm, /proc,
      drops every capability, no_new_privs, seccomp filter, warms up, waits for its hand-over

Handed a session, B sets rlimits, says "hello" to the grader on the session socket (the kernel
attaches its PID for the grader) and runs the runner. When the grader kills B, the kernel
kills everything B started. Student code never holds a descriptor of the zygote's control
socket.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
import sys
from typing import Any

from . import confine, runner, seccomp, wire

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


def become_session(request: dict[str, Any], session_fd: int, output_fd: int, devnull: int) -> None:
    """In the prepared child B, once handed a session: limits, then serve. Never returns."""
    code = 0
    try:
        confine.arrange_fds([(devnull, 0), (output_fd, 1), (output_fd, 2), (session_fd, 3)])
        confine.set_limits(request["limits"])
        sock = socket.socket(fileno=3)
        sock.sendall(wire.encode({"op": wire.HELLO, "protocol": wire.PROTOCOL}))
        runner.serve(sock)
    except BaseException as exc:  # anything here is ours, not the student's: say so on stderr
        with contextlib.suppress(OSError):
            os.write(2, f"quizloop harness: {type(exc).__name__}: {exc}\n".encode())
        code = 70
    os._exit(code)


BOUNDING_SET: list[int] = []  # the zygote's capabilities, read once: each child drops them
OWN_PID_NAMESPACE: list[int] = []  # a descriptor of the zygote's PID namespace


def prepare(sandboxed: bool, control_fd: int, tmp_bytes: int) -> tuple[socket.socket, int]:
    """Fork the next child ahead of need: namespaces made, waiting for its session.

    Returns the zygote's end of a hand-off socket; the child blocks on the other end until
    `hand_over` sends it a spawn request with the session socket and output file. The fork and
    the unshare thus happen while the grader is busy with the previous submission.
    """
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    if sandboxed:
        confine.unshare(confine.CLONE_NEWPID)  # the next fork is PID 1 of a fresh namespace
    pid = os.fork()
    if pid != 0:
        if sandboxed:  # back to our own namespace for the fork after that
            confine.setns(OWN_PID_NAMESPACE[0], confine.CLONE_NEWPID)
        theirs.close()
        return ours, pid
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.close(control_fd)
        ours.close()
        if sandboxed:
            confine.unshare(confine.CLONE_NEWNS | confine.CLONE_NEWIPC)
            confine.private_filesystem(tmp_bytes)
            confine.drop_capabilities(BOUNDING_SET)  # nothing after this needs privileges
        confine.no_new_privileges()
        seccomp.install()
        os.setsid()
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        devnull = os.open("/dev/null", os.O_RDONLY)
        runner.warm_up()
        data, fds, _flags, _addr = socket.recv_fds(theirs, wire.MAX_MESSAGE, 2)
        theirs.close()
        if not data or len(fds) != 2:
            os._exit(0)  # discarded: the zygote is gone or closing
        become_session(wire.decode(data), fds[0], fds[1], devnull)
    finally:
        os._exit(71)


def hand_over(prepared: socket.socket, data: bytes, fds: list[int]) -> None:
    try:
        socket.send_fds(prepared, [data], fds)
    finally:
        prepared.close()


def become_namespace_init(control_fd: int) -> int:
    """Continue as PID 1 of a PID namespace owned by our own user namespace.

    bubblewrap's --disable-userns puts us in a nested user namespace, so we hold no capability
    over bubblewrap's PID namespace and could not return to it after unsharing a fresh one for
    a child. From a namespace of our own we can: each child then costs one fork, not two.
    The original process waits and leaves with us. Returns our PID as bubblewrap numbers it.
    """
    confine.unshare(confine.CLONE_NEWPID)
    if os.fork() != 0:
        os.close(control_fd)
        with contextlib.suppress(ChildProcessError):
            os.wait()
        os._exit(0)
    OWN_PID_NAMESPACE.append(os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC))
    with open("/proc/self/status") as f:
        ids = next(line for line in f if line.startswith("NSpid:")).split()[1:]
    return int(ids[-2]) if len(ids) > 1 else os.getpid()


def main(control_fd: int, sandboxed: bool, tmp_bytes: int = 8 << 20) -> None:
    """Serve spawn requests until the grader closes the control socket."""
    loaded = preimport()
    BOUNDING_SET.extend(confine.bounding_set())
    pid = become_namespace_init(control_fd) if sandboxed else os.getpid()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    control = socket.socket(fileno=control_fd)
    control.set_inheritable(False)
    gc.collect()
    gc.freeze()  # forked children then leave the warm heap's pages shared
    control.sendall(
        wire.encode({"op": "ready", "pid": pid, "uid": os.getuid(), "preloaded": loaded})
    )
    prepared: socket.socket | None = None
    while True:
        if prepared is None:
            try:
                prepared, pid = prepare(sandboxed, control_fd, tmp_bytes)
            except OSError:
                prepared = None  # e.g. out of processes: try again with the next request
            else:  # the grader tells it apart from processes sessions leave behind
                control.sendall(wire.encode({"op": "prepared", "pid": pid}))
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
            if bool(request.get("sandboxed")) != sandboxed:
                raise wire.WireError("the request's sandboxing differs from the zygote's")
            if prepared is None:
                raise OSError("no child could be prepared")
            current, prepared = prepared, None
            hand_over(current, data, fds)
        except (OSError, wire.WireError, KeyError) as exc:
            control.sendall(wire.encode({"op": "spawn-failed", "error": f"{exc}"}))
        finally:
            for fd in fds:
                os.close(fd)
