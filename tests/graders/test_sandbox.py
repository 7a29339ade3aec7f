"""What a child sees from inside the sandbox, reported by a probe function and checked here:
an unprivileged user with no capabilities, PID 1 of its own namespace, a read-only root, a
fresh private /tmp, no network, no secrets in the environment, and rlimits. Also: without
bubblewrap, grading refuses to run unless unsafe grading is allowed."""

from __future__ import annotations

import errno
import os
import shutil
from typing import Any

import pytest

from graders import Grader, SandboxUnavailable
from graders.engine.model import Returned
from graders.engine.scenario import Scenario
from graders.sandbox import worker as worker_module
from graders.sandbox.worker import Worker
from tests.graders.sessions import session_for

PROBE = r"""
import ctypes, os, resource, socket

def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return line.split()[1]

async def probe():
    seen = {}
    seen["uid"], seen["pid"] = os.getuid(), os.getpid()
    seen["cap_eff"], seen["cap_bnd"] = status("CapEff"), status("CapBnd")
    seen["no_new_privs"] = status("NoNewPrivs")
    seen["nproc"] = resource.getrlimit(resource.RLIMIT_NPROC)
    seen["fsize"] = resource.getrlimit(resource.RLIMIT_FSIZE)
    seen["cpu"] = resource.getrlimit(resource.RLIMIT_CPU)
    seen["core"] = resource.getrlimit(resource.RLIMIT_CORE)
    seen["processes"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    seen["tmp"] = os.listdir("/tmp")
    seen["root"] = sorted(os.listdir("/"))
    seen["env"] = sorted(os.environ)
    try:
        open("/usr/quizloop-probe", "w")
        seen["usr_writable"] = True
    except OSError:
        seen["usr_writable"] = False
    with open("/tmp/quizloop-probe", "w") as f:
        f.write("mine")
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=0.2)
        seen["postgres"] = True
    except OSError:
        seen["postgres"] = False
    seen["interfaces"] = sorted(name for _, name in socket.if_nameindex())
    families = {}
    for name in ("AF_INET", "AF_INET6", "AF_PACKET", "AF_UNIX"):
        try:
            socket.socket(getattr(socket, name), socket.SOCK_DGRAM).close()
            families[name] = 0
        except OSError as exc:
            families[name] = exc.errno
    seen["families"] = families
    seen["seccomp"] = status("Seccomp")
    libc = ctypes.CDLL(None, use_errno=True)
    refused = {}
    for name, number, args in (("io_uring_setup", 425, (8, 0)), ("bpf", 321, (0, 0, 0)),
                               ("keyctl", 250, (0, 0)), ("unshare", 272, (0x10000000,)),
                               ("ptrace", 101, (16, 1, 0, 0)), ("clone3", 435, (0, 0))):
        result = libc.syscall(number, *args)
        refused[name] = (result, ctypes.get_errno())
    seen["refused"] = refused
    return seen
"""


def probe(worker: Worker, *, threads: bool = False) -> dict[str, Any]:
    with session_for(worker, PROBE, threads=threads) as session:
        scenario = Scenario(session, "probe")
        call = scenario.call("probe")
        assert scenario.run().completed
        assert isinstance(call.outcome, Returned), call.outcome
        seen: dict[str, Any] = call.outcome.value
        return seen


@pytest.mark.sandbox
def test_a_child_is_unprivileged_alone_and_confined(worker: Worker) -> None:
    seen = probe(worker)
    assert seen["uid"] != 0 or os.geteuid() != 0  # root graders run the sandbox as nobody
    if os.geteuid() == 0:
        assert seen["uid"] == 65534
    assert seen["pid"] == 1
    assert seen["processes"] == [1]
    assert int(seen["cap_eff"], 16) == 0
    assert int(seen["cap_bnd"], 16) == 0
    assert seen["no_new_privs"] == "1"
    assert seen["nproc"] == (1, 1)
    assert seen["fsize"] == (1 << 20, 1 << 20)
    assert seen["cpu"][0] == seen["cpu"][1]
    assert seen["core"] == (0, 0)
    assert seen["tmp"] == []
    assert not seen["usr_writable"]
    assert not seen["postgres"]
    assert seen["interfaces"] == ["lo"]
    assert set(seen["env"]) <= {"PATH", "LANG", "HOME", "PYTHONHASHSEED", "PWD"}
    assert "work" not in seen["root"]
    assert "etc" not in seen["root"]
    if os.uname().machine == "x86_64":
        assert seen["seccomp"] == "2"
        # Unix sockets only: nothing a child binds outlives it on the shared network namespace.
        assert seen["families"] == {
            "AF_INET": errno.EAFNOSUPPORT,
            "AF_INET6": errno.EAFNOSUPPORT,
            "AF_PACKET": errno.EAFNOSUPPORT,
            "AF_UNIX": 0,
        }
        for name, (result, error) in seen["refused"].items():
            assert result == -1, name
            assert error == (errno.ENOSYS if name == "clone3" else errno.EPERM), name


@pytest.mark.sandbox
def test_each_child_gets_a_fresh_tmp(worker: Worker) -> None:
    first = probe(worker)
    second = probe(worker)
    assert first["tmp"] == second["tmp"] == []


@pytest.mark.sandbox
def test_assignments_with_threads_get_a_process_budget(worker: Worker) -> None:
    seen = probe(worker, threads=True)
    assert seen["nproc"] == (64, 64)


def test_without_bubblewrap_grading_refuses_unless_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(
        worker_module.shutil, "which", lambda name: None if name == "bwrap" else real_which(name)
    )
    monkeypatch.delenv("QUIZLOOP_GRADING_UNSAFE_NO_SANDBOX", raising=False)
    source = b"import asyncio\nasync def fetch_all(urls, fetch):\n    return []\n"
    with Grader() as refusing, pytest.raises(SandboxUnavailable, match="bubblewrap"):
        refusing.grade("gather-all", source)
    monkeypatch.setenv("QUIZLOOP_GRADING_UNSAFE_NO_SANDBOX", "1")
    with Grader() as unsafe:
        result = unsafe.grade("gather-all", source)
        assert not unsafe.sandboxed
    assert result.status == "graded"
    assert "WITHOUT a sandbox" in result.output
