"""Running a bank's `generators.py`: in child processes, under deadlines, checked deterministic.

Loading a bank never imports bank code into the loading process. The declared generator
functions run in a fresh `python -I` child (inside bubblewrap when it is available: no network,
read-only filesystem; always address-space, CPU and time limits, an empty environment and a
scratch working directory), each over the bank's `generator_seeds` seeds; two children with
different hash seeds run side by side and must agree, so a generator that reads the global RNG,
the clock or set order is caught. The tables they return become part of the loaded Bank, and
rendering picks from them: no code runs when a student opens a question.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from questions.models import ParamValues

__all__ = ["GeneratorTables", "generator_seed", "run_generators"]

_CHILD = Path(__file__).with_name("_generator_child.py")


def generator_seed(question_id: str, index: int) -> int:
    """The seed handed to a generator's `random.Random` for its index-th parameter set."""
    digest = hashlib.sha256(f"quizloop-generator\0{question_id}\0{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass
class GeneratorTables:
    """Per question: the parameter sets, or why there are none."""

    tables: dict[str, tuple[ParamValues, ...]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    fatal: str | None = None


@functools.cache
def _bwrap() -> str | None:
    """bubblewrap, when it is installed and can make a namespace here (containers may forbid it)."""
    path = shutil.which("bwrap")
    if path is None:
        return None
    probe = subprocess.run(  # noqa: S603 - a fixed command
        [path, "--ro-bind", "/", "/", "--unshare-all", "--", "/bin/true"],
        capture_output=True,
        timeout=10,
        check=False,
    )
    return path if probe.returncode == 0 else None


def _command(request: Path, workdir: str) -> list[str]:
    python = [sys.executable, "-I", "-S", str(_CHILD), str(request)]
    bwrap = _bwrap()
    if bwrap is None:
        return python
    # No network, nothing writable but a scratch folder, its own PID namespace: bank code can
    # compute, not reach out. Without bubblewrap the limits are rlimits and the deadline only.
    return [
        bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
        "--bind", workdir, workdir, "--chdir", workdir, "--unshare-all", "--die-with-parent",
        "--new-session", "--", *python,
    ]  # fmt: skip


def _start(request: Path, hash_seed: int, workdir: str) -> subprocess.Popen[bytes]:
    env = {"PYTHONHASHSEED": str(hash_seed), "PATH": "/usr/bin:/bin"}
    return subprocess.Popen(  # noqa: S603 - our own interpreter on our own script
        _command(request, workdir),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=workdir,
        env=env,
        start_new_session=True,
    )


def _finish(process: subprocess.Popen[bytes], deadline: float) -> dict[str, object]:
    try:
        out, err = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return {"fatal": "generators.py did not finish before the deadline; it was stopped"}
    if process.returncode != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or [
            f"exit {process.returncode}"
        ]
        return {"fatal": f"generators.py crashed its process: {tail[0][:300]}"}
    try:
        reply = json.loads(out)
    except ValueError:
        return {"fatal": "the generator process gave an unreadable reply"}
    return (
        reply
        if isinstance(reply, dict)
        else {"fatal": "unexpected reply from the generator process"}
    )


def run_generators(
    module: Path,
    jobs: dict[str, str],
    *,
    seeds: int,
    seconds_per_question: float = 2.0,
    total_seconds: float = 20.0,
) -> GeneratorTables:
    """Run `jobs` (question id -> function name) from `module` over `seeds` seeds, twice.

    Usage: `run_generators(bank / "generators.py", {"q1": "latency"}, seeds=100).tables["q1"]`
    """
    outcome = GeneratorTables()
    if not jobs:
        return outcome
    request = json.dumps(
        {
            "module": str(module.resolve()),
            "import_seconds": seconds_per_question,
            "cpu_seconds": int(total_seconds) + 1,
            "jobs": [
                {
                    "question": question,
                    "function": function,
                    "seeds": [generator_seed(question, i) for i in range(seeds)],
                    "seconds": seconds_per_question,
                }
                for question, function in jobs.items()
            ],
        }
    )
    deadline = time.monotonic() + total_seconds
    with tempfile.TemporaryDirectory(prefix="quizloop-gen-") as workdir:
        request_file = Path(workdir) / "request.json"
        request_file.write_text(request)
        first, second = _start(request_file, 1, workdir), _start(request_file, 2, workdir)
        replies = [_finish(first, deadline), _finish(second, deadline)]
    for reply in replies:
        if "fatal" in reply:
            outcome.fatal = str(reply["fatal"])
            return outcome
    results = [r.get("results", {}) for r in replies]
    errors = replies[0].get("errors", {})
    assert isinstance(errors, dict)
    for question in jobs:
        a = results[0].get(question) if isinstance(results[0], dict) else None
        b = results[1].get(question) if isinstance(results[1], dict) else None
        if question in errors:
            outcome.errors[question] = str(errors[question])
        elif a is None or b is None:
            outcome.errors[question] = "the generator returned no values"
        elif a != b:
            index = next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
            outcome.errors[question] = (
                f"not deterministic: two runs gave different values for parameter set {index} "
                f"({a[index]} vs {b[index]}); use only the `rng` argument, never the global "
                "random module, the clock or set iteration order"
            )
        else:
            outcome.tables[question] = tuple(a)
    return outcome
