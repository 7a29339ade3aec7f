"""The kernel's view of a child: what each of its threads is doing right now.

The child reports "idle" itself, and everything inside it (the loop, the harness, the stubs) is
within the student's reach: a submission can send an idle report and then keep the loop busy
(a forged report, a signal handler answering while `time.sleep` runs, a thread speaking for a
blocked loop), or start threads the harness does not count. What the kernel shows in
`/proc/PID/task/TID/syscall` cannot be forged from inside: a thread is running, or blocked in a
system call with these arguments. The grader reads it to tell a child that is really quiet
(every thread waiting for something only the grader can send) from one that only says so.

Usage:
    view = ThreadView.of(pid)              # None where the kernel does not tell (see `available`)
    view.loop                              # LoopState: IDLE (epoll_wait, no timeout), BLOCKED, BUSY
    view.others_quiet                      # every other thread in a wait without a timeout
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass


class LoopState(enum.Enum):
    IDLE = "idle"  # asleep in epoll_wait without a timeout: what an idle loop does
    BLOCKED = "blocked"  # asleep in another wait without a timeout (a blocking read, a lock)
    BUSY = "busy"  # running, or sleeping with a timeout (time.sleep): it will go on by itself


# Per architecture: syscall number -> (argument index of its timeout, how to read it):
# "int" (milliseconds, negative = none), "ptr" (a pointer, 0 = none), or None (never times out).
# Syscalls not listed are not waits (or are sleeps): a thread in one counts as busy.
_WAITS: dict[str, dict[int, tuple[int, str] | None]] = {
    "x86_64": {
        0: None, 1: None, 17: None, 19: None, 20: None,  # read, write, pread64, readv, writev
        7: (2, "int"), 23: (4, "ptr"), 270: (4, "ptr"), 271: (2, "ptr"),  # poll, select...
        232: (3, "int"), 281: (3, "int"), 441: (3, "ptr"),  # epoll_wait, epoll_pwait(2)
        202: (3, "ptr"), 449: (3, "ptr"),  # futex, futex_waitv
        42: None, 43: None, 288: None, 44: None, 46: None,  # connect, accept(4), sendto, sendmsg
        45: None, 47: None, 299: (4, "ptr"),  # recvfrom, recvmsg, recvmmsg
        61: None, 247: None, 34: None, 130: None, 128: (2, "ptr"),  # wait4, waitid, pause...
    },
    "aarch64": {
        63: None, 64: None, 65: None, 66: None, 67: None,  # read, write, readv, writev, pread64
        73: (2, "ptr"), 72: (4, "ptr"),  # ppoll, pselect6
        22: (3, "int"), 441: (3, "ptr"),  # epoll_pwait(2)
        98: (3, "ptr"), 449: (3, "ptr"),  # futex, futex_waitv
        203: None, 202: None, 242: None, 206: None, 211: None,  # connect, accept(4), send...
        207: None, 212: None, 243: (4, "ptr"),  # recvfrom, recvmsg, recvmmsg
        260: None, 95: None, 133: None, 137: (2, "ptr"),  # wait4, waitid, rt_sigsuspend...
    },
}  # fmt: skip
_EPOLL = {"x86_64": {232, 281, 441}, "aarch64": {22, 441}}
_ARCH = os.uname().machine


def available() -> bool:
    """Whether this machine's kernel view can be read at all (a known architecture with
    `/proc/self/syscall`). Where it cannot, the grader falls back to what the child reports."""
    if _ARCH not in _WAITS:
        return False
    try:
        with open("/proc/self/syscall", "rb") as f:
            f.read()
    except OSError:
        return False
    return True


def _untimed_wait(fields: list[bytes]) -> bool | None:
    """True: blocked in a wait without a timeout; False: a timed wait; None: not a wait."""
    try:
        number = int(fields[0])
    except (ValueError, IndexError):
        return None
    table = _WAITS[_ARCH]
    if number not in table:
        return None
    timeout = table[number]
    if timeout is None:
        return True
    index, kind = timeout
    try:
        value = int(fields[1 + index], 16)
    except (ValueError, IndexError):
        return None
    if kind == "ptr":
        return value == 0
    return value >= 1 << 31  # a negative int, as the register holds it: no timeout


Sample = tuple[bool | None, bool, int]  # (untimed wait?, in epoll?, times scheduled in)


def _sample(pid: int, tid: int) -> Sample | None:
    """One thread: whether it waits without a timeout, whether in epoll, and how many times it
    has been scheduled in so far (schedstat's third field); None when it is gone."""
    try:
        with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as f:
            runs = int(f.read().split()[2])
        with open(f"/proc/{pid}/task/{tid}/syscall", "rb") as f:
            fields = f.read().split()
    except (OSError, IndexError, ValueError):
        return None
    if not fields or fields[0] == b"running":
        return False, False, runs
    try:
        epoll = int(fields[0]) in _EPOLL[_ARCH]
    except ValueError:
        epoll = False
    return _untimed_wait(fields), epoll, runs


def _threads(pid: int) -> list[int] | None:
    try:
        return sorted(int(t) for t in os.listdir(f"/proc/{pid}/task"))
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class ThreadView:
    """The child's threads at one instant: its loop thread (the main thread) and the others."""

    loop: LoopState
    others_quiet: bool  # every other thread blocked in a wait without a timeout
    threads: int

    @property
    def quiet(self) -> bool:
        """Nothing in the child will happen until someone outside it acts."""
        return self.loop is not LoopState.BUSY and self.others_quiet

    @classmethod
    def of(cls, pid: int) -> ThreadView | None:
        """Read the view of process `pid` (its main thread runs the loop); None if it is gone.

        Threads are read one after another, not at one instant: a thread seen waiting may
        have been woken by one read later (a GIL hand-over, a lock). A view that looks quiet
        is therefore read a second time: if no thread was scheduled in between its two reads
        and all still wait the same way, all of them waited at once, at the moment between
        the two passes.
        """
        tids = _threads(pid)
        if tids is None or pid not in tids:
            return None
        first = {tid: _sample(pid, tid) for tid in tids}
        view = cls._judge(pid, first)
        if view is None or not view.quiet:
            return view
        if _threads(pid) != tids or any(_sample(pid, tid) != first[tid] for tid in tids):
            return cls(LoopState.BUSY, False, len(tids))  # something moved: not quiet yet
        return view

    @classmethod
    def _judge(cls, pid: int, samples: dict[int, Sample | None]) -> ThreadView | None:
        main = samples[pid]
        if main is None:
            return None
        untimed, epoll, _runs = main
        if untimed and epoll:
            loop = LoopState.IDLE
        elif untimed:
            loop = LoopState.BLOCKED
        else:
            loop = LoopState.BUSY
        others_quiet = all(
            sample is None or sample[0]  # a thread that exited meanwhile is quiet
            for tid, sample in samples.items()
            if tid != pid
        )
        return cls(loop, others_quiet, len(samples))
