"""Runs in a child process (`python -I`): imports a bank's generators.py, calls its functions.

Reads a JSON request from the file named by argv[1]: {"module": path, "jobs": [{"question",
"function", "seeds", "seconds"}]}; writes {"results": {question: [params...]}, "errors":
{question: message}}.
Each call gets its own `random.Random(seed)` and a per-job deadline (SIGALRM); the parent holds
the overall deadline and kills this process when it passes.
"""

import importlib.util
import json
import math
import random
import resource
import signal
import sys
from types import FrameType
from typing import Any


class _Deadline(BaseException):
    """Not an Exception: a generator's own `except Exception` must not swallow the deadline."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Deadline


def _plain(values: object) -> dict[str, bool | int | float | str]:
    if not isinstance(values, dict):
        raise TypeError(f"returned {type(values).__name__}, not a dict of parameter values")
    clean: dict[str, bool | int | float | str] = {}
    for name, value in values.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise TypeError(f"returned a key {name!r} that is not a parameter name")
        if isinstance(value, float) and not math.isfinite(value):
            raise TypeError(f"returned {name}={value!r}, not a finite number")
        if not isinstance(value, (bool, int, float, str)):
            raise TypeError(f"returned {name}={value!r}: values must be numbers, text or booleans")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
            raise TypeError(f"returned {name}={value!r}: too large")
        if isinstance(value, str) and len(value) > 2000:
            raise TypeError(f"returned {name}= a text longer than 2000 characters")
        clean[name] = value
    return clean


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        request: dict[str, Any] = json.load(file)
    # A generator that prints must not corrupt the reply: its output goes to stderr.
    reply, sys.stdout = sys.stdout, sys.stderr
    memory = 512 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    signal.signal(signal.SIGALRM, _alarm)
    results: dict[str, list[dict[str, bool | int | float | str]]] = {}
    errors: dict[str, str] = {}
    try:
        spec = importlib.util.spec_from_file_location("bank_generators", request["module"])
        if spec is None or spec.loader is None:
            raise ImportError(request["module"])
        module = importlib.util.module_from_spec(spec)
        signal.setitimer(signal.ITIMER_REAL, request["import_seconds"])
        spec.loader.exec_module(module)
        signal.setitimer(signal.ITIMER_REAL, 0)
    except _Deadline:
        json.dump({"fatal": "importing generators.py did not finish in time"}, reply)
        return
    except BaseException as error:
        json.dump({"fatal": f"importing generators.py failed: {error!r}"}, reply)
        return
    for job in request["jobs"]:
        question, name = job["question"], job["function"]
        function = getattr(module, name, None)
        if not callable(function):
            errors[question] = f"generators.py has no function {name!r}"
            continue
        table: list[dict[str, bool | int | float | str]] = []
        seed = None
        try:
            signal.setitimer(signal.ITIMER_REAL, job["seconds"])
            for seed in job["seeds"]:
                table.append(_plain(function(random.Random(seed))))  # noqa: S311 - seeded on purpose
            signal.setitimer(signal.ITIMER_REAL, 0)
            results[question] = table
        except _Deadline:
            errors[question] = (
                f"{name}() did not finish {len(job['seeds'])} seeds in {job['seconds']} s"
            )
        except BaseException as error:
            signal.setitimer(signal.ITIMER_REAL, 0)
            errors[question] = f"{name}(rng) failed for seed {seed}: {error!r}"
    json.dump({"results": results, "errors": errors}, reply)


main()
