"""The warm worker inside the sandbox: imports once, then forks one confined child per session.

Run as `python -I -S -B -c "...; from harness.zygote import main; main(FD, SANDBOXED, TMP)"`
with FD a SOCK_SEQPACKET socket to the grader (see graders/sandbox/layout.py). The zygote answers
"ready", then keeps one child prepared ahead of need and hands it each "spawn" request (which
carries the session socket and the output file as SCM_RIGHTS), preparing the next one while the
grader works. Children are forked by a template process that does nothing else, so that they
all start from the same heap (see Template):

    zygote (PID 1 of its own namespace) ─ fork ─> template (once)
    template, for each child: unshare(PID) ─ fork ─> B, setns(back)
    B (PID 1 of a fresh PID namespace): sends the zygote a hand-off socket (the template
      sends its PID),
      unshare(mount, IPC), own /tmp, /dev/shm, /proc,
      drops every capability, no_new_privs, seccomp filter, warms up, waits for its hand-over

Handed a session, B sets rlimits, says "hello" to the grader on the session socket (the kernel
attaches its PID for the grader) and runs the runner. When the grader kills B, the kernel
kills everything B started. Student code never holds a descriptor of the zygote's control
socket.
"""

from __future__ import annotations

import contextlib
import ctypes
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


class Template:
    """The process every child is forked from, always in the same state.

    Children used to be forked by the zygote itself, whose heap changes with every request it
    handles: each child then allocated at different addresses, and whatever hashes or prints by
    address (a set of objects, `<... at 0x...>`) came out differently from one grading to the
    next. The template does nothing but fork, one child per byte on `commands`, and send its
    PID on `replies`; the child itself makes its hand-off socket pair and sends one end there.
    Nothing the child reads before the submission runs varies (not even its PID). An
    iteration of the template allocates nothing that outlives it, in stack order, so each fork
    starts from the same heap.
    """

    def __init__(self, pid: int, commands: int, replies: socket.socket) -> None:
        self.pid = pid
        self.commands = commands
        self.replies = replies

    @classmethod
    def start(cls, control_fd: int, sandboxed: bool, tmp_bytes: int) -> Template:
        commands_r, commands_w = os.pipe()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            try:
                os.close(control_fd)
                os.close(commands_w)
                ours.close()
                _serve_template(commands_r, theirs, sandboxed, tmp_bytes)
            finally:
                os._exit(72)
        os.close(commands_r)
        theirs.close()
        return cls(pid, commands_w, ours)

    def prepare(self) -> tuple[socket.socket, int]:
        """Fork the next child ahead of need (namespaces made, waiting for its session):
        the zygote's end of its hand-off socket, and its PID. The fork and the unshare thus
        happen while the grader is busy with the previous submission."""
        os.write(self.commands, b"p")
        pid: int | None = None
        handoff: socket.socket | None = None
        while pid is None or (pid > 0 and handoff is None):  # two messages, in either order
            data, fds, _flags, _addr = socket.recv_fds(self.replies, 8, 1)
            if not data:
                raise OSError("the template is gone")
            if fds:
                handoff = socket.socket(fileno=fds[0])  # from the child
            else:
                pid = int.from_bytes(data[:4], "little")  # from the template
        if pid <= 0 or handoff is None:
            if handoff is not None:
                handoff.close()
            raise OSError("the template could not fork a child")
        return handoff, pid


def _serve_template(commands: int, replies: socket.socket, sandboxed: bool, tmp_bytes: int) -> None:
    # What the first iteration would create and keep (ctypes caches each C function on first
    # use), created now: the first child starts from the same heap as every later one.
    confine.warm_up()
    while os.read(commands, 1):
        if sandboxed:
            confine.unshare(confine.CLONE_NEWPID)  # the next fork is PID 1 of a fresh namespace
        try:
            pid = os.fork()
        except OSError:
            pid = -1
        if pid == 0:
            os.close(commands)
            _prepared(replies, sandboxed, tmp_bytes)
        if sandboxed:  # back to our own namespace for the fork after that
            confine.setns(OWN_PID_NAMESPACE[0], confine.CLONE_NEWPID)
        replies.send(max(pid, 0).to_bytes(4, "little"))  # 0: no child, spawn-failed
        del pid
    os._exit(0)


def _prepared(replies: socket.socket, sandboxed: bool, tmp_bytes: int) -> None:
    """In a freshly forked child: report to the zygote with a hand-off socket, confine, warm
    up, wait for a session. Never returns."""
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        socket.send_fds(replies, [b"child"], [ours.fileno()])  # the template sends our PID
        ours.close()
        replies.close()
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
    """Give the prepared child its spawn request, session socket and output file."""
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


ADDR_NO_RANDOMIZE = 0x0040000


def fixed_layout() -> None:
    """Run without address-space randomisation: re-exec once with it turned off.

    Objects hash and compare by address (`id`): a set of tasks or handlers iterates in address
    order. With a random layout per worker, a submission whose behaviour or output depends on
    that order (a set of locks, an exception text with `at 0x...`) would be graded differently
    on another worker with the same seed. Children fork from the zygote, so with a fixed
    layout they all allocate at the same addresses, on every worker. It protects nothing
    here: the student's code runs in this process anyway.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    current = libc.personality(0xFFFFFFFF)
    if current < 0 or current & ADDR_NO_RANDOMIZE:
        return
    if libc.personality(current | ADDR_NO_RANDOMIZE) < 0:
        return  # not allowed here: keep the random layout
    os.execv(sys.executable, sys.orig_argv)  # noqa: S606 - ourselves, as we were started


def main(control_fd: int, sandboxed: bool, tmp_bytes: int = 8 << 20) -> None:
    """Serve spawn requests until the grader closes the control socket."""
    fixed_layout()
    loaded = preimport()
    BOUNDING_SET.extend(confine.bounding_set())
    pid = become_namespace_init(control_fd) if sandboxed else os.getpid()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    control = socket.socket(fileno=control_fd)
    control.set_inheritable(False)
    gc.collect()
    gc.freeze()  # forked children then leave the warm heap's pages shared
    template = Template.start(control_fd, sandboxed, tmp_bytes)
    control.sendall(
        wire.encode(
            {"op": "ready", "pid": pid, "uid": os.getuid(), "preloaded": loaded,
             "template": template.pid}
        )
    )  # fmt: skip
    prepared: socket.socket | None = None
    while True:
        if prepared is None:
            try:
                prepared, prepared_pid = template.prepare()
            except OSError:
                prepared = None  # e.g. out of processes: try again with the next request
            else:  # the grader tells it apart from processes sessions leave behind
                control.sendall(wire.encode({"op": "prepared", "pid": prepared_pid}))
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
