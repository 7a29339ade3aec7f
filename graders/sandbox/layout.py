"""What the sandbox contains, and the command that builds it.

Inside: the system's /usr (read-only), the Python installation, the child harness (nothing else
of `graders`: no assignment, reference, wrong solution or check), Tornado, an empty read-only
root, a minimal /dev, its own /proc and a small tmpfs. Not inside: /work or wherever the
service lives, its data directory and database, the environment (secrets), the network, and
any installed packages: every site-packages and dist-packages directory within /usr or the
Python installation is covered by an empty read-only tmpfs (a service installed with pip into
the system's Python would otherwise bring its assignments and references along).
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import shutil
import site
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

HARNESS_DEST = "/quizloop/harness"
SITE_DEST = "/quizloop/site"
NOBODY = 65534
TMP_BYTES = 8 << 20  # each child's private /tmp
# The descriptor is padded to a fixed width: the command is then the same text on every
# worker, and so is everything the zygote allocates (see zygote.fixed_layout).
ZYGOTE_CODE = (
    "import sys; sys.path[:0] = {paths!r}; from harness.zygote import main; "
    "main({fd:6d}, {sandboxed}, {tmp})"
)


def _tornado_dir() -> Path | None:
    spec = importlib.util.find_spec("tornado")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


@dataclass(frozen=True)
class Layout:
    python: Path  # the interpreter binary, symlinks resolved
    prefix: Path  # its installation (sys.base_prefix)
    harness: Path  # graders/harness
    packages: dict[str, Path] = field(default_factory=dict)  # importable name -> directory
    uid: int = NOBODY  # who runs the sandbox when the grader is root

    @classmethod
    def discover(cls) -> Layout:
        packages = {}
        tornado = _tornado_dir()
        if tornado is not None:
            packages["tornado"] = tornado
        return cls(
            python=Path(sys.executable).resolve(),
            prefix=Path(sys.base_prefix).resolve(),
            harness=Path(__file__).resolve().parent.parent / "harness",
            packages=packages,
        )

    def binds(self) -> list[tuple[str, str]]:
        binds = [("/usr", "/usr")]
        for top in ("/lib", "/lib64", "/bin", "/sbin"):
            if os.path.exists(top) and not os.path.islink(top):
                binds.append((top, top))
        if not str(self.prefix).startswith("/usr/"):
            binds.append((str(self.prefix), str(self.prefix)))
        binds.append((str(self.harness), HARNESS_DEST))
        for name, path in sorted(self.packages.items()):
            binds.append((str(path), f"{SITE_DEST}/{name}"))
        return binds

    def hidden(self) -> list[str]:
        """Directories of installed packages inside the bound trees, covered in the sandbox.

        The child imports nothing from them (`-I -S`; Tornado is bound on its own), but could
        read them: where this service itself is installed there, that is its assignments,
        references and checks.
        """
        paths = sysconfig.get_paths()
        candidates = {
            *site.getsitepackages(),
            site.getusersitepackages(),
            paths["purelib"],
            paths["platlib"],
            str(Path(__file__).resolve().parents[2]),  # where `graders` itself is installed
        }
        for pattern in ("lib/python3*/site-packages", "lib/python3*/dist-packages"):
            for root in ("/usr", "/usr/local", str(self.prefix)):
                candidates.update(glob.glob(os.path.join(root, pattern)))
        roots = [Path(src) for src, dst in self.binds() if src == dst]
        found = set()
        for candidate in candidates:
            path = Path(candidate).resolve()
            if path.is_dir() and any(path.is_relative_to(root) for root in roots):
                found.add(str(path))
        return sorted(found)

    def bwrap_options(self) -> tuple[list[str], list[str]]:
        """bubblewrap's options before and after the binds."""
        bwrap = shutil.which("bwrap") or "bwrap"
        before = [
            bwrap,
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--new-session",
            "--cap-add", "CAP_SYS_ADMIN",  # each child mounts its own /tmp and /proc...
            "--cap-add", "CAP_SETPCAP",  # ...then drops every capability for good
            "--hostname", "quizloop-sandbox",
            "--clearenv",
            "--setenv", "PATH", "/usr/bin:/bin",
            "--setenv", "LANG", "C.UTF-8",
            "--setenv", "HOME", "/tmp",  # noqa: S108 - the sandbox's private tmpfs
            "--setenv", "PYTHONHASHSEED", "0",
            "--dev", "/dev",
            "--proc", "/proc",
            "--tmpfs", "/tmp",  # noqa: S108
            "--dir", "/quizloop",
        ]  # fmt: skip
        for top in ("/lib", "/lib64", "/bin", "/sbin"):
            if os.path.islink(top):
                before += ["--symlink", os.readlink(top), top]
        after = []
        for path in self.hidden():
            after += ["--tmpfs", path, "--remount-ro", path]
        after += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp"]  # noqa: S108
        return before, after

    def zygote_command(self, fd: int, *, sandboxed: bool) -> list[str]:
        if sandboxed:
            paths = ["/quizloop", SITE_DEST]
            code = ZYGOTE_CODE.format(paths=paths, fd=fd, sandboxed=True, tmp=TMP_BYTES)
            return [str(self.python), "-I", "-S", "-B", "-c", code]
        # Unsandboxed (development only): the harness is imported from the source tree and
        # packages from the running interpreter's environment.
        paths = [str(self.harness.parent)]
        code = ZYGOTE_CODE.format(paths=paths, fd=fd, sandboxed=False, tmp=TMP_BYTES)
        return [sys.executable, "-I", "-B", "-c", code]

    def command(self, fd: int, *, sandboxed: bool) -> list[str]:
        """The argv that starts the worker, with the zygote's control socket on `fd`."""
        if not sandboxed:
            return self.zygote_command(fd, sandboxed=False)
        before, after = self.bwrap_options()
        zygote = self.zygote_command(fd, sandboxed=True)
        if os.geteuid() != 0:
            binds = [arg for src, dst in self.binds() for arg in ("--ro-bind", src, dst)]
            return [*before, *binds, *after, "--", *zygote]
        config = {
            "binds": self.binds(),
            "bwrap": before,
            "after": after,
            "command": zygote,
            "uid": self.uid,
            "gid": self.uid,
        }
        launcher = Path(__file__).resolve().parent / "launch.py"
        return [sys.executable, "-I", "-S", str(launcher), json.dumps(config)]
