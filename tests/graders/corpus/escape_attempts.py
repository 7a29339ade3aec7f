# assignment: gather-all
# expect: full
"""A probe: tries to leave the sandbox (new user namespace, mount, chroot, setuid 0, raise
capabilities, ptrace) and raises if anything works; otherwise it is a correct solution."""

import asyncio
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
ESCAPES = []

if libc.unshare(0x10000000) == 0:  # CLONE_NEWUSER
    ESCAPES.append("unshare(CLONE_NEWUSER)")
if libc.unshare(0x00020000) == 0:  # CLONE_NEWNS
    ESCAPES.append("unshare(CLONE_NEWNS)")
if libc.mount(b"tmpfs", b"/usr", b"tmpfs", 0, None) == 0:
    ESCAPES.append("mount over /usr")
if libc.chroot(b"/tmp") == 0:
    ESCAPES.append("chroot")
try:
    os.setuid(0)
    ESCAPES.append("setuid(0)")
except OSError:
    pass
if libc.ptrace(16, 1, 0, 0) == 0:  # PTRACE_ATTACH to pid 1 (ourselves' init)
    ESCAPES.append("ptrace")
with open("/proc/self/status") as status:
    for line in status:
        if line.startswith(("CapEff", "CapPrm", "CapBnd")) and int(line.split()[1], 16):
            ESCAPES.append(line.strip())
        if line.startswith("NoNewPrivs") and line.split()[1] != "1":
            ESCAPES.append(line.strip())
try:
    with open("/usr/quizloop-was-here", "w"):
        ESCAPES.append("wrote to /usr")
except OSError:
    pass


async def fetch_all(urls, fetch):
    if ESCAPES:
        raise RuntimeError("escaped: " + "; ".join(ESCAPES))
    return list(await asyncio.gather(*map(fetch, urls)))
