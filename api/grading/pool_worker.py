"""One worker process of the local pool: a warm Grader, jobs in, results out.

Started with the `spawn` method by api/grading/local.py. It imports only `graders` (no web
framework, no database): the database stays with the pool's dispatcher in the service
process. A reader thread drains the job pipe into a local queue so the dispatcher can hand
over the next job while this one is graded (never blocking on a full pipe). The process ends
when the pipe closes (the service stopped or died) or on `None`.

Messages to the dispatcher:
    ("ready", sandboxed: bool)              the Grader is warm
    ("unavailable", reason: str)            no sandbox and unsafe grading not allowed
    ("result", job_id, run_token, Result)
    ("unknown", job_id, run_token, str)     no such assignment in this catalogue
    ("failed", job_id, run_token, str)      the grader raised (an infrastructure failure)
"""

from __future__ import annotations

import queue
import signal
import threading
from multiprocessing.connection import Connection

from graders import Grader, SandboxUnavailable, UnknownAssignment

__all__ = ["serve"]

Job = tuple[int, str, str, bytes, int]  # job_id, run_token, assignment, source, seed


def _drain(jobs: Connection, inbox: queue.SimpleQueue[Job | None]) -> None:
    while True:
        try:
            message: Job | None = jobs.recv()
        except (EOFError, OSError):
            message = None
        inbox.put(message)
        if message is None:
            return


def serve(jobs: Connection, results: Connection, unsafe_no_sandbox: bool) -> None:
    """The worker's life: warm up, then grade what arrives until told to stop."""
    # Ctrl-C reaches the whole process group: the service shuts the pool down in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    grader = Grader(unsafe_no_sandbox=unsafe_no_sandbox)
    try:
        grader.start()
    except SandboxUnavailable as exc:
        results.send(("unavailable", str(exc)))
        return
    try:
        results.send(("ready", grader.sandboxed))
        inbox: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        threading.Thread(target=_drain, args=(jobs, inbox), daemon=True).start()
        while (job := inbox.get()) is not None:
            job_id, run_token, assignment, source, seed = job
            try:
                reply: tuple[object, ...] = (
                    "result",
                    job_id,
                    run_token,
                    grader.grade(assignment, source, seed=seed),
                )
            except UnknownAssignment as exc:
                reply = ("unknown", job_id, run_token, str(exc))
            except SandboxUnavailable as exc:
                reply = ("failed", job_id, run_token, f"sandbox unavailable: {exc}")
            except Exception as exc:  # the grader's own failure: the job runs again
                reply = ("failed", job_id, run_token, f"{exc.__class__.__name__}: {exc}")
            results.send(reply)
    except (BrokenPipeError, EOFError, OSError):
        pass  # the service is gone
    finally:
        grader.close()
