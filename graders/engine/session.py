"""The grader's end of one child: the protocol, the clock, and when the child is settled.

A Session wraps a confined child (see `graders.sandbox`). It sends the submission, then serves
scenarios (`graders.engine.scenario`) one after another on the same child while they end
cleanly. Every message from the child is untrusted: it is size-checked, decoded strictly, and
anything unexpected ends the session as a protocol violation.

"Settled" means: the child's loop reported idle after the grader's latest message, and no
thread of the child is still working towards a request. Only then does the grader move time.
Where it matters (threads, blocking measured) the kernel's view of the child's threads decides
the second part, not the child's word (see `graders.engine.kernel`).
"""

from __future__ import annotations

import array
import math
import os
import select
import socket
import stat
import struct
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..harness import wire
from ..harness.wire import ExcInfo, WireError, unpack_untrusted
from ..sandbox.worker import Child
from . import kernel
from .model import Ending, EndKind

if TYPE_CHECKING:
    from .scenario import Scenario

SO_TIMESTAMPNS = 35
_TIMESPEC = struct.Struct("qq")
_ANCILLARY = socket.CMSG_SPACE(_TIMESPEC.size) + socket.CMSG_SPACE(4 * 4)
MAX_MESSAGES = 200_000  # per scenario: more is flooding
THREAD_QUIET = 1.0  # seconds to wait for threads that are busy but send nothing
STALL_FIRST = 0.5  # seconds without an idle report, blocking calls held: the loop is blocked
STALL_AGAIN = 0.05  # later stalls in the same scenario: the verdict is already known


class ProtocolViolation(Exception):
    """The child sent something the protocol does not allow."""


class ChildExit(Exception):
    """The child is gone: it exited, was killed, or announced that an exception ended it."""

    def __init__(self, note: str, exc: ExcInfo | None = None) -> None:
        super().__init__(note)
        self.exc = exc
        self.cause = "raised" if exc is not None else "exited"


@dataclass(frozen=True)
class Loaded:
    ok: bool
    exc: ExcInfo | None = None
    ending: Ending | None = None  # the child died or hung while importing


class Session:
    """One child, from `go` to kill."""

    def __init__(self, child: Child, *, threads: bool) -> None:
        self.child = child
        self.threads = threads
        self.sock = child.sock
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.clock = 0.0
        self.seq = 0
        self.ack = -1
        self.idle_timer: float | None = None
        self.idle_busy = 0
        self.sent_at = time.time()
        self.delay_at_send = 0
        self.idle_stamp = 0.0  # kernel receive time of the first idle report for `seq`
        self.busy_open = False  # a measured stretch started at `sent_at` and is not closed yet
        self.kernel_view = False  # the kernel's view of this child's threads can be read
        self._watcher: kernel.Watcher | None = None  # its /proc files, kept open
        self._schedstat: int | None = None
        self.ended: Ending | None = None
        self.scenario: Scenario | None = None
        self.next_call = 1
        self.next_order = 1
        self.next_fd = 0  # sockets handed to the child are numbered in the order sent
        self.messages = 0

    # -- lifecycle ---------------------------------------------------------------------------------
    def load(self, source: str, *, seed: int, deadline: float) -> Loaded:
        """Send the submission; wait until it is imported and the loop is idle."""
        # Asked once, before any of the submission's code runs: can the kernel tell us later?
        if kernel.available():
            try:
                self._watcher = kernel.Watcher(self.child.pid, threads=self.threads)
            except OSError:
                self._watcher = None
        self.kernel_view = self._watcher is not None and self.threads_view() is not None
        self._send({"op": wire.GO, "source": source, "seed": seed, "threads": self.threads})
        limit = time.monotonic() + deadline
        try:
            message = self._expect(limit)
            if message is None:
                return Loaded(False, ending=self.end(EndKind.TIMEOUT, f"{deadline:g}"))
            if message.get("op") != wire.LOADED:
                raise ProtocolViolation("expected 'loaded'")
            if not message.get("ok"):
                exc = unpack_untrusted({"$x": message.get("exc")})
                return Loaded(False, exc=exc)
            while self.ack != self.seq:
                message = self._expect(limit)
                if message is None:
                    return Loaded(False, ending=self.end(EndKind.TIMEOUT, f"{deadline:g}"))
                self.handle(message, [], time.time())
        except ChildExit as exc:
            return Loaded(False, ending=self.end(EndKind.CRASHED, exc.cause, exc.exc, str(exc)))
        except (ProtocolViolation, WireError) as exc:
            return Loaded(False, ending=self.end(EndKind.CRASHED, "protocol", note=str(exc)))
        return Loaded(True)

    def end(
        self, kind: EndKind, detail: str = "", exc: ExcInfo | None = None, note: str = ""
    ) -> Ending:
        """Kill the child; the session cannot be used again."""
        if self.ended is None:
            self.ended = Ending(kind, detail, exc, note)
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        if self._schedstat is not None:
            os.close(self._schedstat)
            self._schedstat = None
        # A child that timed out may still be running (and printing): wait until it is gone
        # so its output is final. Any other child is idle or dead already.
        self.child.kill(wait=kind is EndKind.TIMEOUT)
        return self.ended

    # -- sending -----------------------------------------------------------------------------------
    def _send(self, message: dict[str, Any], fds: list[int] | None = None) -> None:
        data = wire.encode(message)
        if not select.select([], [self.sock], [], 1.0)[1]:
            raise ChildExit("the child stopped reading its socket")
        try:
            if fds:
                socket.send_fds(self.sock, [data], fds)
            else:
                self.sock.send(data)
        except OSError as exc:
            raise ChildExit(f"cannot write to the child: {exc}") from exc

    def send_step(self, op: str, payload: dict[str, Any], fds: list[int] | None = None) -> None:
        """Send a message the child must acknowledge with an idle report (call or tick)."""
        self.seq += 1
        measuring = self.scenario is not None and self.scenario.measure_blocking
        self.delay_at_send = self.run_delay() if measuring else 0
        self.busy_open = measuring
        self.sent_at = time.time()
        self._send({"op": op, "seq": self.seq, **payload}, fds)

    # -- receiving ---------------------------------------------------------------------------------
    def _expect(self, limit: float) -> dict[str, Any] | None:
        """The next message, or None at the deadline. Raises ChildExit when the child is gone."""
        got = self.receive(max(0.0, limit - time.monotonic()))
        if got is None:
            return None
        message, fds, _stamp = got
        for fd in fds:
            os.close(fd)
        return message

    def readable(self) -> bool:
        """Whether a message from the child is waiting to be read."""
        return bool(select.select([self.sock], [], [], 0)[0])

    def receive(self, timeout: float) -> tuple[dict[str, Any], list[int], float] | None:
        if not select.select([self.sock], [], [], timeout)[0]:
            return None
        try:
            data, ancillary, flags, _addr = self.sock.recvmsg(wire.MAX_MESSAGE + 1, _ANCILLARY)
        except BlockingIOError:
            return None
        except OSError as exc:
            raise ChildExit(f"the child's socket failed: {exc}") from exc
        fds: list[int] = []
        stamp = time.time()
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                received = array.array("i")
                received.frombytes(payload[: len(payload) - len(payload) % received.itemsize])
                fds.extend(received)
            elif level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanos = _TIMESPEC.unpack(payload[: _TIMESPEC.size])
                stamp = seconds + nanos / 1e9
        if not data:
            for fd in fds:
                os.close(fd)
            raise ChildExit("the child exited")
        if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
            for fd in fds:
                os.close(fd)
            raise ProtocolViolation("message too large")
        self.messages += 1
        if self.messages > MAX_MESSAGES:
            raise ProtocolViolation("too many messages")
        return wire.decode(data), fds, stamp

    def handle(self, message: dict[str, Any], fds: list[int], stamp: float) -> None:
        """Apply one message from the child (the scenario handles requests and results)."""
        op = message["op"]
        if op == wire.BATCH:
            batch = message.get("messages")
            if not isinstance(batch, list) or fds:
                raise ProtocolViolation("a batch is a list of messages, without descriptors")
            for item in batch:
                if not isinstance(item, dict) or item.get("op") in (wire.BATCH, None):
                    raise ProtocolViolation("bad message in a batch")
                self.handle(item, [], stamp)
            return
        if op == wire.IDLE:
            ack, busy = message.get("ack"), message.get("busy")
            if not isinstance(ack, int) or ack > self.seq or ack < self.ack:
                raise ProtocolViolation("bad ack")
            timer = _timer(message.get("timer"))
            if not isinstance(busy, int) or busy < 0:
                raise ProtocolViolation("bad busy count")
            if ack == self.seq and self.ack != self.seq:
                self.idle_stamp = stamp
            self.ack, self.idle_timer, self.idle_busy = ack, timer, busy
            for fd in fds:
                os.close(fd)
            return
        if op == wire.EXIT:
            for fd in fds:
                os.close(fd)
            exc = unpack_untrusted({"$x": message.get("exc")})
            if not isinstance(exc, ExcInfo):
                raise ProtocolViolation("exit without an exception")
            raise ChildExit("an exception ended the child", exc)
        if self.scenario is None:
            for fd in fds:
                os.close(fd)
            raise ProtocolViolation(f"unexpected {op!r} outside a scenario")
        self.scenario.on_message(message, fds)

    # -- kernel views of the child -----------------------------------------------------------------
    def run_delay(self) -> int:
        """Nanoseconds the child's main thread spent runnable but not running (schedstat)."""
        try:
            if self._schedstat is None:  # kept open: read twice per measured step
                self._schedstat = os.open(
                    f"/proc/{self.child.pid}/schedstat", os.O_RDONLY | os.O_CLOEXEC
                )
            return int(os.pread(self._schedstat, 256, 0).split()[1])
        except (OSError, IndexError, ValueError):
            return 0

    def threads_view(self) -> kernel.ThreadView | None:
        """What the child's threads are doing, as the kernel shows it (None: it is gone, or
        the kernel does not tell). Without threads (RLIMIT_NPROC 1: the kernel refuses a
        second one) only its main thread is read."""
        return self._watcher.view() if self._watcher is not None else None

    def stretch(self, end: float) -> float:
        """Real seconds the child ran from the latest step to `end`, minus the time its loop
        thread waited for a CPU (a loaded machine does not count)."""
        waited = (self.run_delay() - self.delay_at_send) / 1e9
        return max(0.0, end - self.sent_at - waited)


def _timer(value: Any) -> float | None:
    """The idle report's next timer: a finite number of virtual seconds, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolViolation("bad timer")
    try:
        timer = float(value)
    except OverflowError:
        raise ProtocolViolation("bad timer") from None
    if not math.isfinite(timer):
        raise ProtocolViolation("bad timer")
    return timer


def reply_socket(fd: int) -> socket.socket:
    """Adopt a reply socket the child sent; refuse anything but a Unix seqpacket socket."""
    if not stat.S_ISSOCK(os.fstat(fd).st_mode):
        os.close(fd)
        raise ProtocolViolation("a reply descriptor must be a socket")
    sock = socket.socket(fileno=fd)
    if sock.family != socket.AF_UNIX or sock.type != socket.SOCK_SEQPACKET:
        sock.close()
        raise ProtocolViolation("a reply socket must be a Unix seqpacket socket")
    sock.setblocking(False)
    return sock
