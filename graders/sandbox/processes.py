"""The worker's process tree, seen from the grader: for diagnostics and for proving that a
submission left nothing behind."""

from __future__ import annotations

import os


def parents() -> dict[int, int]:
    """pid -> parent pid of every live (non-zombie) process."""
    found: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command may contain spaces and parentheses: fields follow the last ')'.
        fields = stat[stat.rindex(b")") + 2 :].split()
        if fields[0] != b"Z":
            found[int(entry)] = int(fields[1])
    return found


def descendants(root: int, tree: dict[int, int]) -> set[int]:
    """`root` and every live process below it."""
    found = {root} if root in tree else set()
    changed = True
    while changed:
        changed = False
        for pid, parent in tree.items():
            if parent in found and pid not in found:
                found.add(pid)
                changed = True
    return found


def in_grader_namespace(
    tree: dict[int, int], root: int, pid: int, level: int, nested: bool, *, init: bool = True
) -> int:
    """The grader's PID of a process below `root` known by its PID in the PID namespace at
    `level` below the grader's (1: bubblewrap's, 2: the zygote's); 0 if there is none. With
    `init` the process is PID 1 of a namespace of its own one level further down (the zygote, a
    child); without, it lives in that namespace (the template). Without namespaces (`nested`
    False) PIDs are the grader's own."""
    depth = level + 2 if init else level + 1
    for candidate in descendants(root, tree):
        try:
            with open(f"/proc/{candidate}/status") as f:
                ids = next(line for line in f if line.startswith("NSpid:")).split()[1:]
        except (OSError, StopIteration):
            continue
        if not nested:
            if int(ids[0]) == pid:
                return candidate
        elif len(ids) == depth and int(ids[level]) == pid:
            return candidate
    return 0
