"""Grading a submission: the library's entry points.

Usage:
    from graders import Grader
    with Grader() as grader:                      # keep one per process: it holds a warm worker
        result = grader.grade("gather-all", source_bytes, seed=7, lang="zh-CN")
    result.to_dict()                              # Gradescope-shaped

    from graders import grade_submission          # the same with a per-process default Grader
    result = grade_submission("gather-all", source_bytes, seed=7)

A Grader is used by one thread at a time (it serialises calls). Without bubblewrap it refuses
to run (SandboxUnavailable) unless `unsafe_no_sandbox=True` or the environment variable
QUIZLOOP_GRADING_UNSAFE_NO_SANDBOX=1 allows it.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import logging
import os
import re
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from .catalogue import Assignment, Catalogue, Text, load_messages
from .engine.run import IMPORT_DEADLINE, Run, SubmissionBroken, Verdict, describe_exception
from .precheck import Rejection, precheck
from .result import Result, Status, TestResult
from .sandbox.worker import ChildLimits, SandboxUnavailable, Worker, WorkerFailure

log = logging.getLogger(__name__)
UNSAFE_ENV = "QUIZLOOP_GRADING_UNSAFE_NO_SANDBOX"
THREAD_PROCESSES = 64  # RLIMIT_NPROC for assignments that use threads
# Characters of the student's text (what it printed, its exception texts and type names) that
# would act on a terminal or reorder what a reader sees: C0/C1 controls but newline and tab,
# DEL, and the bidirectional overrides ("Trojan Source"). Shown escaped, never as they are.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with control and bidirectional-override characters escaped (`\\x1b`).

    Usage: `printable(student_output)`
    """
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def unsafe_allowed_by_env() -> bool:
    return os.environ.get(UNSAFE_ENV, "").strip().lower() in ("1", "true", "yes")


class _Messages:
    def __init__(self, generic: dict[str, Text]) -> None:
        self.generic = generic

    def render(
        self, assignment: Assignment, check: str | None, reason: str, params: dict[str, Any]
    ) -> Text:
        table: Text | None = None
        if check is not None:
            table = assignment.check(check).messages.get(reason)
        if table is None:
            table = self.generic.get(reason)
        if table is None:
            log.error("no message for %s/%s/%s", assignment.id, check, reason)
            return dict.fromkeys(("en", "zh-CN"), reason)
        safe = _SafeParams(
            {k: printable(v) if isinstance(v, str) else v for k, v in params.items()}
        )
        return {lang: text.format_map(safe) for lang, text in table.items()}


class _SafeParams(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        log.error("message placeholder {%s} has no value", key)
        return "?"


class Grader:
    """A long-lived grader holding a warm sandboxed worker."""

    def __init__(
        self, catalogue: Catalogue | None = None, *, unsafe_no_sandbox: bool | None = None
    ) -> None:
        self.catalogue = catalogue if catalogue is not None else Catalogue.load()
        self.unsafe_allowed = (
            unsafe_allowed_by_env() if unsafe_no_sandbox is None else unsafe_no_sandbox
        )
        self._messages = _Messages(load_messages())
        self._worker: Worker | None = None
        self._lock = threading.Lock()

    # -- the worker --------------------------------------------------------------------------------
    @property
    def sandboxed(self) -> bool:
        return self._ensure_worker().sandboxed

    def start(self) -> None:
        """Start the warm worker now rather than on the first submission."""
        with self._lock:
            self._ensure_worker()

    def worker(self) -> Worker:
        """The warm worker (started if needed): for diagnostics and engine-level tests."""
        with self._lock:
            return self._ensure_worker()

    def _ensure_worker(self) -> Worker:
        if self._worker is not None and self._worker.alive:
            return self._worker
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        worker = Worker(sandboxed=True)
        try:
            worker.start()
        except SandboxUnavailable:
            if not self.unsafe_allowed:
                raise
            log.warning("grading WITHOUT a sandbox: %s is set", UNSAFE_ENV)
            worker = Worker(sandboxed=False)
            worker.start()
        self._worker = worker
        return worker

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.close()
                self._worker = None

    def __enter__(self) -> Grader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- grading -----------------------------------------------------------------------------------
    def grade(
        self, assignment_id: str, source: bytes, *, seed: int = 0, lang: str = "en"
    ) -> Result:
        """Grade one file. Raises UnknownAssignment, or SandboxUnavailable (see module doc).

        Usage: `result = grader.grade("bank-transfer", data, seed=3)`
        """
        assignment = self.catalogue[assignment_id]
        checked = precheck(source, assignment.interface)
        if isinstance(checked, Rejection):
            return self._unrun(assignment, "rejected", checked.reason, checked.params, seed, lang)
        with self._lock, _batch_scheduling():
            for attempt in (1, 2):
                worker = self._ensure_worker()
                try:
                    return self._run(worker, assignment, checked, seed, lang)
                except WorkerFailure as exc:
                    log.warning("grading infrastructure failed (attempt %d): %s", attempt, exc)
                    worker.close()
        return self._unrun(assignment, "error", "infrastructure", {}, seed, lang, gradable=False)

    def _run(
        self, worker: Worker, assignment: Assignment, source: str, seed: int, lang: str
    ) -> Result:
        limits = ChildLimits(processes=THREAD_PROCESSES if assignment.interface.threads else 1)
        run = Run(worker, assignment, source, seed=seed, limits=limits)
        module = importlib.import_module(f"graders.scenarios.{assignment.scenarios}")
        try:
            module.grade(run)
        except SubmissionBroken as broken:
            run.close()
            reason, params = _import_failure(broken)
            return self._unrun(assignment, "error", reason, params, seed, lang, run=run)
        except WorkerFailure:
            run.close()
            raise
        except Exception:
            run.close()
            log.exception("grading %s failed inside the grader", assignment.id)
            return self._unrun(
                assignment, "error", "infrastructure", {}, seed, lang, gradable=False
            )
        run.close()
        missing = [c.id for c in assignment.checks if c.id not in run.verdicts]
        if missing:
            log.error("%s: no verdict for %s", assignment.scenarios, missing)
            return self._unrun(
                assignment, "error", "infrastructure", {}, seed, lang, gradable=False
            )
        return self._result(assignment, "graded", list(run.verdicts.values()), seed, lang, run=run)

    # -- building results --------------------------------------------------------------------------
    def _unrun(
        self,
        assignment: Assignment,
        status: Status,
        reason: str,
        params: dict[str, Any],
        seed: int,
        lang: str,
        *,
        gradable: bool = True,
        run: Run | None = None,
    ) -> Result:
        headline = self._messages.render(assignment, None, reason, params)
        verdicts = [Verdict(c.id, False, "not-run") for c in assignment.checks]
        return self._result(
            assignment, status, verdicts, seed, lang, run=run, headline=headline, gradable=gradable
        )

    def _result(
        self,
        assignment: Assignment,
        status: Status,
        verdicts: list[Verdict],
        seed: int,
        lang: str,
        *,
        run: Run | None = None,
        headline: Text | None = None,
        gradable: bool = True,
    ) -> Result:
        by_check = {v.check: v for v in verdicts}
        tests = []
        for check in assignment.checks:
            verdict = by_check[check.id]
            texts = self._messages.render(assignment, check.id, verdict.reason, verdict.params)
            tests.append(
                TestResult(
                    name=check.id,
                    title=check.title[lang],
                    status="passed" if verdict.passed else "failed",
                    score=check.points if verdict.passed else 0,
                    max_score=check.points,
                    output=texts[lang],
                    visibility=check.visibility,
                    reason=verdict.reason,
                    outputs=texts,
                )
            )
        score = sum(t.score for t in tests)
        summary = self._messages.render(
            assignment,
            None,
            "summary",
            {
                "score": score,
                "max_score": assignment.max_score,
                "passed": sum(t.status == "passed" for t in tests),
                "total": len(tests),
            },
        )
        outputs = {}
        for language in summary:
            parts = [headline[language]] if headline else []
            if status == "graded":
                parts.append(summary[language])
            if self._worker is not None and not self._worker.sandboxed:
                parts.append(self._messages.render(assignment, None, "unsandboxed", {})[language])
            parts += self._printed(assignment, run, language)
            outputs[language] = "\n".join(parts)
        return Result(
            assignment=assignment.id,
            status=status,
            score=score if gradable else 0,
            max_score=assignment.max_score,
            output=outputs[lang],
            tests=tuple(tests),
            gradable=gradable,
            lang=lang,
            seed=seed,
            outputs=outputs,
        )

    def _printed(self, assignment: Assignment, run: Run | None, lang: str) -> list[str]:
        if run is None:
            return []
        chunks = [data for data, _size in run.outputs if data]
        total = sum(size for _data, size in run.outputs)
        if not chunks:
            return []
        text = printable(b"".join(chunks).decode("utf-8", errors="replace").rstrip())
        lines = ["", self._messages.render(assignment, None, "printed", {})[lang], text]
        if total > sum(len(c) for c in chunks):
            lines.append(
                self._messages.render(assignment, None, "truncated", {"size": total})[lang]
            )
        return lines


@contextlib.contextmanager
def _batch_scheduling() -> Iterator[None]:
    """The calling thread under SCHED_BATCH while it grades (Linux), restored afterwards.

    The child's reports wake this thread; a normal thread woken this way may take the CPU from
    the child before the child's loop is back asleep in epoll_wait, which the grader then
    checks (engine/kernel.py) and has to wait for: a context switch more per step. A batch
    thread is never woken that way, so the child finishes its step first.
    """
    try:
        policy = os.sched_getscheduler(0)
        param = os.sched_getparam(0)
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux, or a real-time policy we may not leave
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, policy, param)


def _import_failure(broken: SubmissionBroken) -> tuple[str, dict[str, Any]]:
    loaded = broken.loaded
    if loaded.exc is not None:
        if loaded.exc.type in ("SystemExit", "KeyboardInterrupt"):
            return "import-exit", {"exc_type": loaded.exc.type}
        return "import-raised", describe_exception(loaded.exc)
    ending = loaded.ending
    if ending is not None and ending.kind.value == "timeout":
        return "import-timeout", {"seconds": f"{IMPORT_DEADLINE:g}"}
    return "import-crashed", {}


_default: Grader | None = None
_default_lock = threading.Lock()


def grade_submission(
    assignment_id: str,
    source: bytes,
    *,
    seed: int = 0,
    lang: str = "en",
    unsafe_no_sandbox: bool | None = None,
) -> Result:
    """Grade with this process's default Grader (created on first use, closed at exit).

    Usage: `result = grade_submission("gather-all", data, seed=submission_id)`
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = Grader(unsafe_no_sandbox=unsafe_no_sandbox)
            atexit.register(_default.close)
        grader = _default
    return grader.grade(assignment_id, source, seed=seed, lang=lang)
