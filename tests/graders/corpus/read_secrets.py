# assignment: gather-all
# expect: full
"""A probe: looks for the reference solution, the hidden checks, the service's files and
secrets, and the grader's processes; raises with what it finds, else solves the assignment."""

import asyncio
import glob
import os

FOUND = []
for pattern in (
    "/work*",
    "/work/main/graders/assignments/*/reference.py",
    "/root/*",
    "/home/*",
    "/etc/shadow",
    "/etc/passwd",
    "/var/lib/postgresql*",
    "/data*",
    "/quizloop/harness/../scenarios",
    "/quizloop/*/assignments",
    "/proc/*/environ",
    "/proc/*/cmdline",
    "/run/*",
    "/var/run/*",
):
    for path in glob.glob(pattern):
        if path.startswith("/proc/"):
            pid = path.split("/")[2]
            if pid not in ("1", "self", "thread-self") and pid.isdigit():
                FOUND.append(f"another process: {path}")
            continue
        FOUND.append(path)
for name, value in os.environ.items():
    if name not in ("PATH", "LANG", "HOME", "PYTHONHASHSEED", "PWD"):
        FOUND.append(f"env {name}")
try:
    import graders  # noqa: F401

    FOUND.append("import graders")
except ImportError:
    pass
try:
    import scenarios  # noqa: F401

    FOUND.append("import scenarios")
except ImportError:
    pass


async def fetch_all(urls, fetch):
    if FOUND:
        raise RuntimeError("found: " + ", ".join(FOUND[:20]))
    return list(await asyncio.gather(*map(fetch, urls)))
