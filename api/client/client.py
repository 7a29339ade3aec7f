"""`Client`: the API from a Python script, synchronously, over httpx.

Every method sends one call of api/client/calls.py and returns its typed answer; failures
raise api/client/errors.py's exceptions. Lists return one `Page` (`offset`, `limit`);
`paginate` walks them all. `watch_submission` and `watch_regrade` follow the server-sent
events of a submission's grading or a regrade's progress until they finish.

Usage:
    with Client() as client:                     # QUIZLOOP_URL/QUIZLOOP_TOKEN or a profile
        for attempt in client.paginate(client.attempts, quiz_id, status="submitted"):
            ...
        client.override(attempt.id, 2, points=1, reason="the key accepted only 'ms'")
        Path("grades.csv").write_text(client.gradebook_csv(quiz_id, layout="canvas"))
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import httpx

from api.client import calls
from api.client.calls import Call
from api.client.config import Profile, resolve_profile
from api.client.errors import TransportError, error_for
from api.client.models import (
    ApiToken,
    AttemptDetail,
    AttemptScores,
    AttemptSummary,
    AuditEntry,
    BankImported,
    Course,
    CourseGradebook,
    Enrolled,
    ItemScore,
    Member,
    Model,
    Page,
    Quiz,
    QuizGradebook,
    QuizStatistics,
    Regrade,
    SavedAnswer,
    StudentResult,
    Submission,
    User,
)
from api.client.policy import API_PREFIX, RetryPolicy, request_arguments
from api.client.shared import (
    WATCH_READ_TIMEOUT,
    Watch,
    headers_for,
    login_form,
    regrade_body,
    submission_filters,
)
from api.client.sse import EventParser
from api.client.uploads import bank_upload, roster_upload

__all__ = ["Client"]

T = TypeVar("T")
W = TypeVar("W", bound=Model)
LIMIT = 50


class Client:
    """A signed-in connection to a quizloop server (see the module's docstring).

    `url` and `token` default to QUIZLOOP_URL / QUIZLOOP_TOKEN, then the config file's
    profile (api/client/config.py). `lang` (en or zh-CN) picks the language of messages.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        profile: str | None = None,
        lang: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.25,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.profile: Profile = resolve_profile(profile, url=url, token=token)
        self.url = self.profile.url
        self.policy = RetryPolicy(retries=retries, backoff=backoff)
        self.token_expires_in: int | None = None
        """Seconds the token lasts, when this client signed in with a password."""
        self._http = httpx.Client(
            base_url=self.url + API_PREFIX,
            headers=headers_for(self.profile.token, lang),
            timeout=timeout,
            transport=transport,
        )

    @classmethod
    def login(cls, url: str, email: str, password: str, **options: Any) -> Client:
        """A client signed in with a password (a short-lived access token): for students,
        who have no personal API tokens."""
        transport = options.get("transport")
        with httpx.Client(base_url=url.rstrip("/") + API_PREFIX, transport=transport) as http:
            response = http.post("/auth/token", data=login_form(email, password))
        if not response.is_success:
            raise error_for(response)
        answer = response.json()
        client = cls(url, answer["access_token"], **options)
        client.token_expires_in = answer.get("expires_in")
        return client

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- sending ---------------------------------------------------------------------------

    def send(self, call: Call[T]) -> T:
        """Send `call`, again after failures its policy allows; its parsed answer."""
        attempt = 0
        while True:
            try:
                response = self._http.request(call.method, call.path, **request_arguments(call))
            except httpx.TransportError as exc:
                delay = self.policy.after_error(call, exc, attempt)
                if delay is None:
                    raise TransportError(
                        f"{call.method} {self.url}{API_PREFIX}{call.path}: {exc}"
                    ) from exc
            else:
                if response.is_success:
                    return call.parse(response)
                delay = self.policy.after_status(call, response, attempt)
                if delay is None:
                    raise error_for(response)
            time.sleep(delay)
            attempt += 1

    def paginate(
        self,
        fetch: Callable[..., Page[T]],
        /,
        *args: Any,
        page_size: int = 100,
        on_page: Callable[[int, int], None] | None = None,
        **kwargs: Any,
    ) -> Iterator[T]:
        """Every row of a list, page by page: `paginate(client.attempts, quiz_id)`.
        `on_page(rows_so_far, count)` is called after each page (for progress bars)."""
        offset = 0
        while True:
            page = fetch(*args, offset=offset, limit=page_size, **kwargs)
            yield from page.data
            offset += len(page.data)
            if on_page is not None:
                on_page(offset, page.count)
            if not page.data or offset >= page.count:
                return

    # --- accounts and courses ------------------------------------------------------------

    def me(self) -> User:
        return self.send(calls.me())

    def create_api_token(self, name: str, *, expires_in_days: int | None = 90) -> ApiToken:
        return self.send(calls.create_api_token(name, expires_in_days))

    def create_user(
        self, email: str, *, full_name: str = "", role: str = "student", password: str | None = None
    ) -> User:
        return self.send(calls.create_user(email, full_name, role, password))

    def import_users(self, roster: str | Path | bytes) -> Page[User]:
        return self.send(calls.import_users(roster_upload(roster)))

    def courses(self, *, offset: int = 0, limit: int = LIMIT) -> Page[Course]:
        return self.send(calls.courses(offset, limit))

    def course(self, course_id: int) -> Course:
        return self.send(calls.course(course_id))

    def create_course(
        self, title: Mapping[str, str], description: Mapping[str, str] | None = None
    ) -> Course:
        return self.send(calls.create_course(title, description))

    def members(
        self, course_id: int, *, role: str | None = None, offset: int = 0, limit: int = LIMIT
    ) -> Page[Member]:
        return self.send(calls.members(course_id, role, offset, limit))

    def enrol(self, course_id: int, email: str, *, role: str = "student") -> Member:
        return self.send(calls.enrol(course_id, email, role))

    def enrol_roster(self, course_id: int, roster: str | Path | bytes) -> Enrolled:
        """Enrol a CSV roster (email, full_name, password), all or nothing."""
        return self.send(calls.enrol_roster(course_id, roster_upload(roster)))

    def import_bank(self, bank: str | Path | bytes) -> BankImported:
        """Import a bank folder (zipped here) or archive as an immutable version."""
        return self.send(calls.import_bank(bank_upload(bank)))

    # --- quizzes and attempts ------------------------------------------------------------

    def quizzes(self, course_id: int, *, offset: int = 0, limit: int = LIMIT) -> Page[Quiz]:
        return self.send(calls.quizzes(course_id, offset, limit))

    def quiz(self, quiz_id: int) -> Quiz:
        return self.send(calls.quiz(quiz_id))

    def create_quiz(self, course_id: int, body: Mapping[str, Any]) -> Quiz:
        return self.send(calls.create_quiz(course_id, body))

    def publish_quiz(self, quiz_id: int) -> Quiz:
        return self.send(calls.publish_quiz(quiz_id))

    def results(self, quiz_id: int, *, offset: int = 0, limit: int = LIMIT) -> Page[StudentResult]:
        return self.send(calls.results(quiz_id, offset, limit))

    def attempts(
        self,
        quiz_id: int,
        *,
        student_id: int | None = None,
        status: str | None = None,
        offset: int = 0,
        limit: int = LIMIT,
    ) -> Page[AttemptSummary]:
        return self.send(calls.attempts(quiz_id, student_id, status, offset, limit))

    def attempt(self, attempt_id: int) -> AttemptDetail:
        return self.send(calls.attempt(attempt_id))

    def start_attempt(self, quiz_id: int) -> AttemptDetail:
        return self.send(calls.start_attempt(quiz_id))

    def save_answer(
        self, attempt_id: int, position: int, response: Any, *, revision: int
    ) -> SavedAnswer:
        return self.send(calls.save_answer(attempt_id, position, response, revision))

    def submit_attempt(self, attempt_id: int) -> AttemptDetail:
        return self.send(calls.submit_attempt(attempt_id))

    # --- scores --------------------------------------------------------------------------

    def override(self, attempt_id: int, position: int, *, points: float, reason: str) -> ItemScore:
        return self.send(calls.override(attempt_id, position, points, reason))

    def clear_override(self, attempt_id: int, position: int, *, reason: str) -> ItemScore:
        return self.send(calls.clear_override(attempt_id, position, reason))

    def scores(self, attempt_id: int) -> AttemptScores:
        return self.send(calls.scores(attempt_id))

    def audit(
        self,
        quiz_id: int,
        *,
        student_id: int | None = None,
        attempt_id: int | None = None,
        offset: int = 0,
        limit: int = LIMIT,
    ) -> Page[AuditEntry]:
        return self.send(calls.audit(quiz_id, student_id, attempt_id, offset, limit))

    def gradebook(self, quiz_id: int) -> QuizGradebook:
        return self.send(calls.gradebook(quiz_id))

    def gradebook_csv(self, quiz_id: int, *, layout: str = "canvas", items: bool = True) -> str:
        return self.send(calls.gradebook_csv(quiz_id, layout, items))

    def course_gradebook(self, course_id: int) -> CourseGradebook:
        return self.send(calls.course_gradebook(course_id))

    def course_gradebook_csv(self, course_id: int, *, layout: str = "canvas") -> str:
        return self.send(calls.course_gradebook_csv(course_id, layout))

    def statistics(self, quiz_id: int, *, attempts: str = "counted") -> QuizStatistics:
        return self.send(calls.statistics(quiz_id, attempts))

    # --- submissions and regrades --------------------------------------------------------

    def submit(self, attempt_id: int, position: int, source: str) -> Submission:
        """Submit code for a code question (queued for grading; never sent twice)."""
        return self.send(calls.submit(attempt_id, position, source))

    def submission(self, submission_id: int) -> Submission:
        return self.send(calls.submission(submission_id))

    def submissions(
        self,
        course_id: int,
        *,
        status: str | None = None,
        assignment_id: str | None = None,
        student_id: int | None = None,
        quiz_id: int | None = None,
        offset: int = 0,
        limit: int = LIMIT,
    ) -> Page[Submission]:
        filters = submission_filters(status, assignment_id, student_id, quiz_id)
        return self.send(calls.submissions(course_id, filters, offset, limit))

    def item_submissions(
        self, attempt_id: int, position: int, *, offset: int = 0, limit: int = LIMIT
    ) -> Page[Submission]:
        return self.send(calls.item_submissions(attempt_id, position, offset, limit))

    def requeue(self, submission_id: int) -> Submission:
        return self.send(calls.requeue(submission_id))

    def regrade(self, *, dry_run: bool = False, **scope: Any) -> Regrade:
        """Regrade one submission (`submission_id=`), a question (`quiz_id=, question_id=`)
        or an assignment (`course_id=, assignment_id=`); a dry run changes nothing."""
        return self.send(calls.regrade(regrade_body(dry_run=dry_run, **scope)))

    def regrade_status(self, regrade_id: int) -> Regrade:
        return self.send(calls.regrade_status(regrade_id))

    # --- watching ------------------------------------------------------------------------

    def watch_submission(
        self, submission_id: int, *, timeout: float | None = None
    ) -> Iterator[Submission]:
        """The submission at each change of its status, until it is finished."""
        watch = Watch(f"/submissions/{submission_id}/events", Submission, timeout)
        return self._watch(watch, calls.submission(submission_id))

    def wait_for_submission(
        self, submission_id: int, *, timeout: float | None = None
    ) -> Submission:
        """The submission once finished (graded, rejected or not gradable)."""
        last: Submission | None = None
        for update in self.watch_submission(submission_id, timeout=timeout):
            last = update
        assert last is not None  # a watch yields at least the final state
        return last

    def watch_regrade(self, regrade_id: int, *, timeout: float | None = None) -> Iterator[Regrade]:
        """The regrade's progress at each change, until it is done."""
        watch = Watch(f"/regrades/{regrade_id}/events", Regrade, timeout)
        return self._watch(watch, calls.regrade_status(regrade_id))

    def _watch(self, watch: Watch[W], current: Call[W]) -> Iterator[W]:
        failures = 0
        while True:
            watch.check_deadline()
            try:
                with self._http.stream(
                    "GET", watch.path, timeout=watch.timeout(self._http.timeout)
                ) as response:
                    if not response.is_success:
                        response.read()
                        raise error_for(response)
                    parser = EventParser()
                    for line in response.iter_lines():
                        for event in parser.feed(line):
                            state = watch.parse(event)
                            if state is None:
                                continue
                            failures = 0
                            if watch.is_new(state):
                                yield state
                            if watch.finished(state):
                                return
            except httpx.TransportError as exc:
                failures += 1
                if not isinstance(exc, httpx.ReadTimeout) and failures > self.policy.retries:
                    raise TransportError(f"watching {watch.path}: {exc}") from exc
            # The stream ended (or broke) before the end: see where things stand, go on.
            state = self.send(current)
            if watch.finished(state):
                if watch.is_new(state):
                    yield state
                return
            time.sleep(min(WATCH_READ_TIMEOUT, self.policy.backoff * (failures + 1)))
