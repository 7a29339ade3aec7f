"""Start bubblewrap as an unprivileged user when the grader runs as root.

Run as `python -I -S launch.py CONFIG_JSON` by the grader (never imported). RLIMIT_NPROC is not
enforced for root, and a child running as the grader's UID could signal it, so the sandbox must
run as another user (`nobody` by default). That user often cannot reach the files the sandbox
needs (pyenv installs live under /root, mode 0700), so this launcher, still root, enters a
private mount namespace, bind-mounts each source onto a staging tmpfs that the user can
traverse, drops to the user and execs bwrap with the staged paths. Nothing changes outside the
launcher's own mount namespace.

CONFIG_JSON: {"binds": [[source, dest], ...], "bwrap": [bwrap, options before the binds...],
              "after": [options after the binds...], "command": [...],
              "uid": 65534, "gid": 65534}
"""

from __future__ import annotations

import ctypes
import json
import os
import sys

CLONE_NEWNS = 0x00020000
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
STAGE = "/tmp"  # noqa: S108 - covered by a fresh tmpfs in our private mount namespace only


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"quizloop launcher: {what}: {os.strerror(errno)}")


def main(config: dict[str, object]) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    binds = config["binds"]
    assert isinstance(binds, list)
    _check(libc.unshare(CLONE_NEWNS), "unshare mount namespace")
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
    # Open the sources before covering /tmp (a source may live under it), after unsharing
    # (a bind source must belong to the current mount namespace).
    fds = [os.open(source, os.O_PATH | os.O_CLOEXEC) for source, _dest in binds]
    _check(libc.mount(b"tmpfs", STAGE.encode(), b"tmpfs", 0, b"mode=0755,size=64k"), "stage")
    staged: list[str] = []
    for index, ((_source, dest), fd) in enumerate(zip(binds, fds, strict=True)):
        stage = f"{STAGE}/{index}"
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.mkdir(stage)
        else:
            os.close(os.open(stage, os.O_CREAT | os.O_WRONLY, 0o644))
        source = f"/proc/self/fd/{fd}".encode()
        _check(libc.mount(source, stage.encode(), None, MS_BIND | MS_REC, None), f"bind {dest}")
        os.close(fd)
        staged += ["--ro-bind", stage, str(dest)]
    uid, gid = int(str(config["uid"])), int(str(config["gid"]))
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    bwrap = [str(a) for a in config["bwrap"]]  # type: ignore[attr-defined]
    after = [str(a) for a in config["after"]]  # type: ignore[attr-defined]
    command = [str(a) for a in config["command"]]  # type: ignore[attr-defined]
    argv = [*bwrap, *staged, *after, "--", *command]
    os.execv(argv[0], argv)  # noqa: S606 - bwrap, resolved by the grader


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
