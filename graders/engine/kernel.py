"""The kernel's view of a child: what each of its threads is doing right now.

The child reports "idle" itself, and everything inside it (the loop, the harness, the stubs) is
within the student's reach: a submission can send an idle report and then keep the loop busy
(a forged report, a signal handler answering while `time.sleep` runs, a thread speaking for a
blocked loop), or start threads the harness does not count. What the kernel shows in
`/proc/PID/task/TID/syscall` cannot be forged from inside: a thread is running, or blocked in a
system call with these arguments. The grader reads it to tell a child that is really quiet
(every thread waiting for something only the grader can send) from one that only says so.

Usage:
    watcher = Watcher(pid, threads=True)   # where `available()`; descriptors kept open
    view = watcher.view()                  # None once the process is gone
    view.loop                              # LoopState: IDLE (epoll_wait, no timeout), BLOCKED, BUSY
    view.others_quiet                      # every other thread in a wait without a timeout
    ThreadView.of(pid)                     # one view, without keeping anything open
"""

from __future__ import annotations

import enum
import functools
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


@functools.cache
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


def _parse(fields: list[bytes], scheduled: int) -> Sample:
    if not fields or fields[0] == b"running":
        return False, False, scheduled
    try:
        epoll = int(fields[0]) in _EPOLL[_ARCH]
    except ValueError:
        epoll = False
    return _untimed_wait(fields), epoll, scheduled


class _Thread:
    """One thread's /proc files, kept open: a look costs a pread each."""

    def __init__(self, pid: int, tid: int, runs: bool) -> None:
        self.syscall = os.open(f"/proc/{pid}/task/{tid}/syscall", os.O_RDONLY | os.O_CLOEXEC)
        self.schedstat = -1
        if runs:
            try:
                self.schedstat = os.open(
                    f"/proc/{pid}/task/{tid}/schedstat", os.O_RDONLY | os.O_CLOEXEC
                )
            except OSError:
                os.close(self.syscall)
                raise

    def sample(self) -> Sample | None:
        """Whether it waits without a timeout, whether in epoll, and how many times it has
        been scheduled in so far (schedstat's third field; 0 when not read); None: gone."""
        try:
            scheduled = (
                int(os.pread(self.schedstat, 256, 0).split()[2]) if self.schedstat >= 0 else 0
            )
            fields = os.pread(self.syscall, 512, 0).split()
        except (OSError, IndexError, ValueError):
            return None
        if not fields:
            return None
        return _parse(fields, scheduled)

    def close(self) -> None:
        for fd in (self.syscall, self.schedstat):
            if fd >= 0:
                os.close(fd)


class Watcher:
    """The kernel's view of one process, taken as often as needed.

    Usage: `watcher = Watcher(pid, threads=True)`; `watcher.view()`; `watcher.close()`. With
    `threads` False (a child whose RLIMIT_NPROC forbids a second thread) only the main thread
    is read, once per view: one pread.
    """

    def __init__(self, pid: int, *, threads: bool = True) -> None:
        self.pid = pid
        self.threads = threads
        self._open: dict[int, _Thread] = {pid: _Thread(pid, pid, runs=threads)}

    def _tids(self) -> list[int] | None:
        try:
            return sorted(int(t) for t in os.listdir(f"/proc/{self.pid}/task"))
        except (OSError, ValueError):
            return None

    def _samples(self, tids: list[int]) -> dict[int, Sample | None]:
        for tid in [t for t in self._open if t not in tids]:
            self._open.pop(tid).close()
        samples: dict[int, Sample | None] = {}
        for tid in tids:
            thread = self._open.get(tid)
            if thread is None:
                try:
                    thread = self._open[tid] = _Thread(self.pid, tid, runs=True)
                except OSError:
                    samples[tid] = None  # exited meanwhile
                    continue
            samples[tid] = thread.sample()
        return samples

    def view(self) -> ThreadView | None:
        """The process's threads now; None if it is gone.

        Threads are read one after another, not at one instant: a thread seen waiting may
        have been woken by one read later (a GIL hand-over, a lock). A view that looks quiet
        is therefore read a second time: if no thread was scheduled in between its two reads
        and all still wait the same way, all of them waited at once, at the moment between
        the two passes.
        """
        if not self.threads:
            return ThreadView.judge(self.pid, {self.pid: self._open[self.pid].sample()})
        tids = self._tids()
        if tids is None or self.pid not in tids:
            return None
        first = self._samples(tids)
        view = ThreadView.judge(self.pid, first)
        if view is None or not view.quiet:
            return view
        if self._tids() != tids or self._samples(tids) != first:
            return ThreadView(LoopState.BUSY, False, len(tids))  # something moved: not yet
        return view

    def close(self) -> None:
        for thread in self._open.values():
            thread.close()
        self._open.clear()


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
    def of(cls, pid: int, *, threads: bool = True) -> ThreadView | None:
        """One view of process `pid` (see Watcher.view); None if it is gone."""
        try:
            watcher = Watcher(pid, threads=threads)
        except OSError:
            return None
        try:
            return watcher.view()
        finally:
            watcher.close()

    @classmethod
    def judge(cls, pid: int, samples: dict[int, Sample | None]) -> ThreadView | None:
        main = samples.get(pid)
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
