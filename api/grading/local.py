"""The local backend: a bounded pool of sandboxed grading processes beside the service.

`LocalPool` runs a dispatcher thread in the service process and `workers` grading processes
(api/grading/pool_worker.py), each keeping a warm `graders.Grader`. The database is the
durable queue: the dispatcher claims queued jobs (api/grading/queue.py), hands each worker up
to `DEPTH` of them (so a worker never waits between jobs), records results, and renews the
leases of the jobs it holds. It looks for work when a job is published in this process and
every `poll` seconds otherwise (jobs queued by other processes, or left by a previous run).

Nothing is lost:
- a worker that dies mid-job: its jobs run again on a fresh worker (`worker-lost`);
- a clean stop: the jobs held are queued again at once, and the next start takes them;
- the service killed: its jobs' leases lapse and the sweep (run here every
  `SWEEP_SECONDS`) queues them again;
- no sandbox (and unsafe grading not allowed): the pool grades nothing and says why
  (`unavailable`); submissions stay queued until a pool that can grade starts.

Worker processes start with the first job, not with the service: a service that never grades
costs no processes.

Usage:
    pool = LocalPool(engine, workers=2, timing=Timing(lease=15, deadline=240))
    pool.start()
    pool.publish(jobs)     # wake it (api/grading/publish.py calls this after commits)
    pool.stop()
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.grading import queue
from api.grading.publish import JobMessage
from api.grading.queue import Claimed, Timing
from api.grading.sweep import sweep

__all__ = ["DEPTH", "LocalPool"]

DEPTH = 2  # jobs handed to a worker at once: one grading, one waiting
SWEEP_SECONDS = 5.0
STOP_SECONDS = 5.0
logger = logging.getLogger("quizloop.grading")


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    jobs: Connection
    results: Connection
    ready: bool = False
    held: dict[int, Claimed] = field(default_factory=dict)


class LocalPool:
    """Sandboxed grading processes fed from the database (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        *,
        workers: int,
        timing: Timing,
        unsafe_no_sandbox: bool = False,
        poll: float = 0.5,
        sweep_every: float = SWEEP_SECONDS,
    ) -> None:
        self.engine = engine
        self.size = workers
        self.timing = timing
        self.unsafe_no_sandbox = unsafe_no_sandbox
        self.poll = poll
        self.sweep_every = sweep_every
        self.identity = f"{socket.gethostname()}:{os.getpid()}:local"
        self.unavailable: str | None = None
        """Why this pool cannot grade (no sandbox), or None."""
        self.graded = 0
        self._workers: list[_Worker] = []
        self._failed_starts = 0
        self._spawn_not_before = 0.0
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._woken = True
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._context = multiprocessing.get_context("spawn")

    # -- the backend interface --------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="quizloop-grading", daemon=True)
        self._thread.start()

    def publish(self, jobs: list[JobMessage] | Any) -> None:
        """New jobs are in the database: look now rather than at the next poll."""
        self.wake()

    def wake(self) -> None:
        # BlockingIOError: a wake-up is pending already; OSError: the pool is closed.
        with contextlib.suppress(BlockingIOError, OSError):
            self._wake_w.send(b"!")

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Stop grading: jobs in hand are queued again for the next start."""
        self._stopping.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout)
        self._wake_r.close()
        self._wake_w.close()

    # -- the dispatcher thread --------------------------------------------------------------
    def _run(self) -> None:
        next_poll = next_renew = time.monotonic()
        next_sweep = time.monotonic()  # at once: a previous run may have left jobs
        try:
            while not self._stopping.is_set():
                now = time.monotonic()
                if self._woken or now >= next_poll:
                    self._woken = False
                    next_poll = now + self.poll
                    self._guarded(self._fill)
                if now >= next_renew:
                    next_renew = now + self.timing.lease / 3
                    self._guarded(self._renew)
                if now >= next_sweep:
                    next_sweep = now + self.sweep_every
                    self._guarded(lambda: sweep(self.engine))
                timeout = max(0.0, min(next_poll, next_renew, next_sweep) - time.monotonic())
                self._handle(wait(self._waitables(), timeout))
        finally:
            self._shutdown()

    def _guarded(self, step: Any) -> None:
        try:
            step()
        except SQLAlchemyError as exc:  # the database is down or busy: the next turn retries
            logger.warning("grading pool: database error: %s", exc.__class__.__name__)

    def _waitables(self) -> list[Any]:
        waitables: list[Any] = [self._wake_r]
        for worker in self._workers:
            waitables += [worker.results, worker.process.sentinel]
        return waitables

    def _handle(self, ready: list[Any]) -> None:
        for item in ready:
            if item is self._wake_r:
                try:
                    while self._wake_r.recv(4096):
                        pass
                except (BlockingIOError, OSError):
                    pass
                self._woken = True
                continue
            for worker in list(self._workers):
                if item is worker.results:
                    self._receive(worker)
                elif item == worker.process.sentinel:
                    self._lost(worker, "worker-lost")

    def _receive(self, worker: _Worker) -> None:
        try:
            message = worker.results.recv()
        except (EOFError, OSError):
            self._lost(worker, "worker-lost")
            return
        kind = message[0]
        if kind == "ready":
            worker.ready = True
            self._failed_starts = 0
            self._woken = True
            if not message[1]:
                logger.warning("grading pool: grading WITHOUT a sandbox (unsafe setting)")
            return
        if kind == "unavailable":
            if self.unavailable is None:
                logger.error("grading pool cannot grade: %s", message[1])
            self.unavailable = str(message[1])
            self._retire(worker)
            return
        job_id, run_token = message[1], message[2]
        claimed = worker.held.pop(job_id, None)
        if claimed is None or claimed.run_token != run_token:
            return
        self._woken = True  # a place is free
        if kind == "result":
            self._guarded(lambda: queue.finish(self.engine, claimed, message[3]))
            self.graded += 1
        elif kind == "unknown":
            logger.error("grading pool: %s", message[3])
            self._guarded(lambda: queue.abandon(self.engine, claimed, "unknown-assignment"))
        else:
            logger.warning("grading pool: job %d failed: %s", job_id, message[3])
            self._guarded(lambda: queue.fail(self.engine, claimed, "infrastructure"))

    # -- workers ----------------------------------------------------------------------------
    def _spawn(self) -> None:
        from api.grading import pool_worker

        child_jobs, parent_jobs = self._context.Pipe(duplex=False)  # (reader, writer)
        parent_results, child_results = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=pool_worker.serve,
            args=(child_jobs, child_results, self.unsafe_no_sandbox),
            name="quizloop-grader",
            daemon=True,
        )
        process.start()
        child_jobs.close()
        child_results.close()
        self._workers.append(_Worker(process, parent_jobs, parent_results))

    def _retire(self, worker: _Worker) -> None:
        self._workers.remove(worker)
        for end in (worker.jobs, worker.results):
            end.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(1)

    def _lost(self, worker: _Worker, reason: str) -> None:
        if worker not in self._workers:
            return
        held = list(worker.held.values())
        if held:
            logger.warning("grading pool: a worker died holding %d job(s)", len(held))
        if not worker.ready:  # it died starting: try again later, not in a tight loop
            self._failed_starts += 1
            delay = min(30.0, 2.0**self._failed_starts)
            self._spawn_not_before = time.monotonic() + delay
            logger.error("grading pool: a worker died while starting; next try in %.0f s", delay)
        self._retire(worker)
        for claimed in held:
            self._guarded(lambda c=claimed: queue.fail(self.engine, c, reason))
        self._woken = True

    def _fill(self) -> None:
        """Claim jobs for the free places of ready workers (starting workers if needed)."""
        if self.unavailable is not None:
            return
        if (
            len(self._workers) < self.size
            and time.monotonic() >= self._spawn_not_before
            and queue.has_queued(self.engine)
        ):
            while len(self._workers) < self.size:
                self._spawn()
        ready = [w for w in self._workers if w.ready]
        free = sum(DEPTH - len(w.held) for w in ready)
        if not free:
            return
        claimed = queue.claim_batch(
            self.engine, limit=free, worker=self.identity, timing=self.timing
        )
        for index, job in enumerate(claimed):
            if not ready:  # every worker died while we handed out jobs: give the rest back
                queue.release(self.engine, claimed[index:])
                return
            worker = min(ready, key=lambda w: len(w.held))
            worker.held[job.job_id] = job
            try:
                worker.jobs.send(
                    (job.job_id, job.run_token, job.assignment_id, job.source, job.seed)
                )
            except OSError:
                self._lost(worker, "worker-lost")
                ready = [w for w in self._workers if w.ready]

    def _renew(self) -> None:
        tokens = [c.run_token for w in self._workers for c in w.held.values()]
        queue.renew(self.engine, tokens, self.timing)

    def _shutdown(self) -> None:
        held = [c for w in self._workers for c in w.held.values()]
        for worker in self._workers:
            worker.held.clear()
            with contextlib.suppress(OSError):
                worker.jobs.send(None)
        try:
            released = queue.release(self.engine, held)
        except SQLAlchemyError as exc:  # their leases lapse; the next sweep re-runs them
            logger.warning("grading pool: could not release jobs: %s", exc.__class__.__name__)
        else:
            if released:
                logger.info("grading pool: %d job(s) queued again for the next start", released)
        deadline = time.monotonic() + 1.0
        for worker in list(self._workers):
            worker.process.join(max(0.0, deadline - time.monotonic()))
            self._retire(worker)
