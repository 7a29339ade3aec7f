"""Child side: what a freshly forked child does to itself before any student code runs.

Inside the bubblewrap sandbox the zygote keeps CAP_SYS_ADMIN and CAP_SETPCAP in its own user
namespace. Each child uses them once: it gets a private mount namespace (fresh tmpfs on /tmp and
/dev/shm, a /proc that shows only its own PID namespace), then sets rlimits and drops every
capability for good (bounding set, securebits locked, no_new_privs) before it imports the
submission. Python 3.11 has no os.unshare, hence ctypes.
"""

from __future__ import annotations

import ctypes
import os
import resource
from typing import Any

_libc = ctypes.CDLL(None, use_errno=True)

CLONE_NEWNS = 0x00020000
CLONE_NEWPID = 0x20000000
CLONE_NEWIPC = 0x08000000
MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
MS_REC, MS_PRIVATE = 16384, 1 << 18
PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 24, 28, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
# NOROOT, NO_SETUID_FIXUP, KEEP_CAPS, NO_CAP_AMBIENT_RAISE: each with its LOCKED bit.
SECUREBITS_LOCKED_DOWN = 0b11101111


class ConfinementError(OSError):
    """A confinement step failed: the child must not run student code."""


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise ConfinementError(errno, f"{what}: {os.strerror(errno)}")


def warm_up() -> None:
    """Look up the C functions used after a fork (ctypes caches each on first use)."""
    for name in ("unshare", "setns", "mount", "prctl", "capset"):
        getattr(_libc, name)


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def setns(fd: int, kind: int) -> None:
    _check(_libc.setns(fd, kind), "setns")


def _mount(source: bytes, target: bytes, fstype: bytes | None, flags: int, data: bytes) -> int:
    return int(_libc.mount(source, target, fstype, flags, data or None))


def private_filesystem(tmp_bytes: int) -> None:
    """A private mount namespace's view: fresh /tmp and /dev/shm, a /proc of our own PIDs."""
    _check(_mount(b"none", b"/", None, MS_REC | MS_PRIVATE, b""), "make mounts private")
    tmp_flags = MS_NOSUID | MS_NODEV
    _check(
        _mount(b"tmpfs", b"/tmp", b"tmpfs", tmp_flags, b"mode=1777,size=%d" % tmp_bytes),
        "mount /tmp",
    )
    if os.path.isdir("/dev/shm"):  # noqa: S108 - our own fresh tmpfs, in our mount namespace
        _check(
            _mount(b"tmpfs", b"/dev/shm", b"tmpfs", tmp_flags | MS_NOEXEC, b"mode=1777,size=1m"),
            "mount /dev/shm",
        )
    proc_flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
    if _mount(b"proc", b"/proc", b"proc", proc_flags, b"") != 0:
        # Never leave the zygote's /proc visible: hide it under an empty, read-only tmpfs.
        _check(_mount(b"tmpfs", b"/proc", b"tmpfs", proc_flags | 1, b"size=4k"), "hide /proc")


def set_limits(limits: dict[str, Any]) -> None:
    """rlimits, soft = hard so the student cannot raise them back."""
    table = {
        "cpu_seconds": resource.RLIMIT_CPU,
        "address_space": resource.RLIMIT_AS,
        "file_size": resource.RLIMIT_FSIZE,
        "open_files": resource.RLIMIT_NOFILE,
        "processes": resource.RLIMIT_NPROC,
    }
    for key, which in table.items():
        if key in limits:
            value = int(limits[key])
            resource.setrlimit(which, (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
    resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def bounding_set() -> list[int]:
    """The capabilities in this process's bounding set."""
    with open("/proc/self/status") as f:
        mask = next(int(line.split()[1], 16) for line in f if line.startswith("CapBnd:"))
    return [cap for cap in range(64) if mask >> cap & 1]


def drop_capabilities(bounding: list[int]) -> None:
    """Give up every capability in every set, for good (`bounding`: see bounding_set())."""
    for cap in bounding:
        _check(_libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "drop bounding set")
    _check(_libc.prctl(PR_SET_SECUREBITS, SECUREBITS_LOCKED_DOWN, 0, 0, 0), "securebits")
    _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient")
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def no_new_privileges() -> None:
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def arrange_fds(targets: list[tuple[int, int]]) -> None:
    """Put each (source fd -> target fd) in place, then close every other descriptor."""
    import fcntl

    staged = [(fcntl.fcntl(src, fcntl.F_DUPFD_CLOEXEC, 1000), dst) for src, dst in targets]
    for high, dst in staged:
        os.dup2(high, dst, inheritable=dst <= 2)
    wanted = sorted({dst for _, dst in targets})
    low = 0
    for fd in [*wanted, 1 << 20]:
        if fd > low:  # os.closerange(n, n) closes *everything* in CPython 3.11
            os.closerange(low, fd)
        low = fd + 1
