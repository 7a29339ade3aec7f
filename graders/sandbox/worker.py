"""The grader's side of the sandbox: a warm worker (bubblewrap + zygote) and its children.

Usage:
    worker = Worker(sandboxed=True)
    worker.start()
    child = worker.spawn(ChildLimits(processes=1))
    ...talk to child.sock...
    child.kill()
    worker.close()
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import IO, Any

from ..harness import wire
from . import processes
from .layout import Layout

SPAWN_TIMEOUT = 10.0  # seconds for a child to say hello; only a broken machine is this slow
KILL_TIMEOUT = 5.0  # seconds for a killed child (and its PID namespace) to be gone
START_TIMEOUT = 30.0
_UCRED = struct.Struct("iII")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot start, and running without it was not allowed."""


class WorkerFailure(RuntimeError):
    """The grading infrastructure failed (not the submission): the job should be retried."""


@dataclass(frozen=True)
class ChildLimits:
    """rlimits of one child; soft = hard."""

    processes: int = 1  # RLIMIT_NPROC: 1 forbids threads and forks altogether
    address_space: int = 1 << 30
    cpu_seconds: int = 60
    file_size: int = 1 << 20  # also caps what the student can print (stdout is a file)
    open_files: int = 256


class Child:
    """One confined child process speaking the session protocol on `sock`."""

    def __init__(
        self,
        sock: socket.socket,
        pid: int,
        output_fd: int,
        group: bool,
        on_retire: Callable[[int], None] | None = None,
    ) -> None:
        self.sock = sock
        self.pid = pid
        self.pidfd = os.pidfd_open(pid)
        self.output_fd = output_fd
        self._group = group  # unsandboxed: also kill the process group
        self._on_retire = on_retire
        self.closed = False

    def exited(self) -> bool:
        return bool(select.select([self.pidfd], [], [], 0)[0])

    def kill(self, *, wait: bool = True) -> None:
        """SIGKILL the child (PID-namespace init: the kernel takes everything with it).

        With `wait`, return once it is gone; without, the worker confirms it later (an idle
        child has nothing left to write, so its output is already final).
        """
        if self.closed:
            return
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        if self._group:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
        self.sock.close()
        self.closed = True
        if wait or self._on_retire is None:
            select.select([self.pidfd], [], [], 5.0)
            os.close(self.pidfd)
        else:
            self._on_retire(self.pidfd)

    def read_output(self, cap: int) -> tuple[bytes, int]:
        """The first `cap` bytes the child wrote to stdout/stderr, and how many it wrote."""
        size = os.fstat(self.output_fd).st_size
        return os.pread(self.output_fd, min(cap, size), 0), size

    def close_output(self) -> None:
        os.close(self.output_fd)


class Worker:
    """A long-lived sandbox holding a warm zygote; spawns one child per session."""

    def __init__(self, *, sandboxed: bool = True, layout: Layout | None = None) -> None:
        self.sandboxed = sandboxed
        self.layout = layout or Layout.discover()
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._stderr: IO[bytes] | None = None
        self._dying: list[int] = []  # pidfds of killed children not yet confirmed gone
        self.zygote_pid = 0
        self.template_pid = 0  # the process that forks the children (zygote's numbering)
        self._netns_pid = 0  # the zygote, in the grader's numbering (its network namespace)
        self.prepared_pid = 0  # the child prepared for the next session (zygote's numbering)

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        if self.sandboxed and shutil.which("bwrap") is None:
            raise SandboxUnavailable(
                "bubblewrap (`bwrap`) is not installed, and grading refuses to run student code"
                " without a sandbox. Install the Debian package `bubblewrap`, or allow unsafe"
                " grading (QUIZLOOP_GRADING_UNSAFE_NO_SANDBOX=1) on a development machine."
            )
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._stderr = tempfile.TemporaryFile(prefix="quizloop-zygote-")  # noqa: SIM115 - lives with the worker
        argv = self.layout.command(theirs.fileno(), sandboxed=self.sandboxed)
        self._process = subprocess.Popen(  # noqa: S603 - our own fixed command line
            argv,
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            start_new_session=True,
        )
        theirs.close()
        self._control = ours
        ready = self._receive_control(START_TIMEOUT)
        prepared = self._receive_control(START_TIMEOUT) if ready else None
        if prepared is not None and prepared.get("op") == "prepared":
            self.prepared_pid = int(prepared["pid"])
        if ready is None or ready.get("op") != "ready":
            detail = self._stderr_text() or "the zygote did not start"
            self.close()
            raise SandboxUnavailable(f"the grading sandbox failed to start: {detail}")
        self.zygote_pid = int(ready["pid"])
        self.template_pid = int(ready.get("template", 0))

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()[-2000:].decode(errors="replace").strip()

    def _receive_control(self, timeout: float) -> dict[str, Any] | None:
        assert self._control is not None
        if not select.select([self._control], [], [], timeout)[0]:
            return None
        data = self._control.recv(wire.MAX_MESSAGE)
        return wire.decode(data) if data else None

    def _reap(self, timeout: float = 0.0) -> None:
        """Close the pidfds of killed children that are gone (waiting up to `timeout` each)."""
        dying, self._dying = self._dying, []
        for pidfd in dying:
            if select.select([pidfd], [], [], timeout)[0]:
                os.close(pidfd)
            else:
                self._dying.append(pidfd)

    def spawn(self, limits: ChildLimits) -> Child:
        """A fresh confined child, after its hello. Raises WorkerFailure."""
        # Children are killed without waiting, so the previous one may still be dying. All of
        # a worker's children share one network namespace, where a child can make only Unix
        # sockets (harness/seccomp.py): if a dying one named one (an abstract address, listed
        # and reachable), the next must not start before it is gone. Otherwise there is
        # nothing to wait for.
        self._reap()
        if self._dying and self._named_sockets():
            self._reap(timeout=KILL_TIMEOUT)
            if self._dying:
                raise WorkerFailure("a killed child did not die")
        if not self.alive or self._control is None:
            raise WorkerFailure("the grading worker is not running")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        output_fd = os.memfd_create("quizloop-output", os.MFD_CLOEXEC)
        request = {
            "op": "spawn",
            "sandboxed": self.sandboxed,
            "limits": asdict(limits),
        }
        try:
            socket.send_fds(self._control, [wire.encode(request)], [theirs.fileno(), output_fd])
        except OSError as exc:
            ours.close()
            os.close(output_fd)
            raise WorkerFailure(f"cannot reach the zygote: {exc}") from exc
        finally:
            theirs.close()
        deadline = time.monotonic() + SPAWN_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            readable = select.select([ours, self._control], [], [], max(0.0, remaining))[0]
            if self._control in readable:
                message = self._receive_control(0)
                if message is not None and message.get("op") == "prepared":
                    self.prepared_pid = int(message["pid"])
                    continue
                ours.close()
                os.close(output_fd)
                raise WorkerFailure(f"the zygote could not spawn a child: {message}")
            if ours in readable:
                break
            if remaining <= 0:
                ours.close()
                os.close(output_fd)
                raise WorkerFailure("a new child did not say hello in time")
        pid = self._hello_pid(ours)
        if pid is None:
            ours.close()
            said = os.pread(output_fd, 2000, 0).decode(errors="replace").strip()
            os.close(output_fd)
            raise WorkerFailure(f"a new child failed before its hello: {said or 'no output'}")
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 0)
        ours.setblocking(False)
        return Child(ours, pid, output_fd, group=not self.sandboxed, on_retire=self._dying.append)

    @staticmethod
    def _hello_pid(sock: socket.socket) -> int | None:
        try:
            data, ancillary, _flags, _addr = sock.recvmsg(
                wire.MAX_MESSAGE, socket.CMSG_SPACE(_UCRED.size)
            )
        except OSError:
            return None
        if not data:
            return None
        message = wire.decode(data)
        if message.get("op") != wire.HELLO or message.get("protocol") != wire.PROTOCOL:
            return None
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid, _uid, _gid = _UCRED.unpack(payload[: _UCRED.size])
                return int(pid)
        return None

    def _named_sockets(self) -> bool:
        """Whether a Unix socket has a name in the sandbox's network namespace (as the kernel
        lists them for the zygote; tens of microseconds)."""
        if not self.sandboxed:
            return False  # no namespace of its own: nothing promised
        if not self._netns_pid:
            tree = processes.parents()
            root = self._process.pid if self._process is not None else 0
            self._netns_pid = processes.in_grader_namespace(
                tree, root, self.zygote_pid, 1, nested=True
            )
        try:
            with open(f"/proc/{self._netns_pid}/net/unix", "rb") as f:
                return any(len(line.split()) >= 8 for line in f.readlines()[1:])
        except OSError:
            return True  # cannot tell: wait

    def pids(self) -> set[int]:
        """Every live process of this worker (bubblewrap, the zygote, children): diagnostics."""
        if self._process is None:
            return set()
        return processes.descendants(self._process.pid, processes.parents())

    def session_processes(self) -> set[int]:
        """Live processes of past and current sessions: everything below the zygote except the
        template that forks the children and the child prepared for the next session. Empty
        between submissions."""
        self._reap()
        if self._process is None:
            return set()
        self._drain_control()
        parents = processes.parents()
        root = self._process.pid
        # Sandboxed, the zygote is PID 1 of its own namespace (bubblewrap numbers it
        # zygote_pid) and each child is PID 1 of a namespace below (the zygote numbers it).
        zygote = processes.in_grader_namespace(parents, root, self.zygote_pid, 1, self.sandboxed)
        if not zygote:
            return set()
        prepared = processes.in_grader_namespace(
            parents, root, self.prepared_pid, 2, self.sandboxed
        )
        template = processes.in_grader_namespace(
            parents, root, self.template_pid, 2, self.sandboxed, init=False
        )
        found = processes.descendants(zygote, parents) - {zygote, template}
        return found - processes.descendants(prepared, parents) if prepared else found

    def _drain_control(self) -> None:
        while self._control is not None and select.select([self._control], [], [], 0)[0]:
            message = self._receive_control(0)
            if message is None:
                return
            if message.get("op") == "prepared":
                self.prepared_pid = int(message["pid"])

    def close(self) -> None:
        self._reap(timeout=5.0)
        for pidfd in self._dying:
            os.close(pidfd)
        self._dying = []
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._process is not None:
            if self._process.poll() is None:
                try:
                    os.killpg(self._process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    self._process.kill()
            self._process.wait()
            self._process = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
