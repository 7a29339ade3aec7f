"""No response a student can reach carries an answer key, an explanation, per-option
feedback, a score, a seed or another student's data before the quiz's feedback policy allows
it: every student-facing route, for many students (so many seeds and variants), checked
against each student's own keys. Then the policy releases feedback, and the same detector
finds the keys: it is not blind."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from api.attempts.models import AttemptItem
from api.core.db import utcnow
from api.quizzes.models import FeedbackPolicy
from api.users.models import User
from questions import Variant
from tests.api.answers import variant_of
from tests.api.classroom import FIXED, Classroom

STUDENTS = 8
# Never in what a student gets before release (as keys with a value).
FORBIDDEN_KEYS = {
    "key", "correct", "explanation", "feedback", "accept", "regex", "pairs", "order",
    "answer", "seed", "question_id", "parts", "result", "authored", "values", "seed_secret",
    "join_code", "student_email",
}  # fmt: skip
NULL_UNTIL_RELEASED = {"score"}
POLICIES = {policy.value for policy in FeedbackPolicy}


def walk(data: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield path, key, value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from walk(value, f"{path}[{index}]")


def secrets_of(variant: Variant) -> list[str]:
    """Serialized fragments that would give this variant's key away."""
    key = variant.key
    shown = variant.student.model_dump_json()
    found = list(key.explanation.values())
    if key.type in ("single_choice", "multiple_choice"):
        found += [t for fb in key.feedback.values() for t in fb.values()]
        correct = sorted(key.correct)
        found += (
            [json.dumps(correct), json.dumps(correct[0])]
            if len(variant.student.options) > 1
            else []
        )
    elif key.type == "fill_in":
        found += [json.dumps(a) for b in key.blanks for a in b.accept if json.dumps(a) not in shown]
    elif key.type == "matching":
        found += [f'"{left}":"{right}"' for left, right in key.pairs.items()]
    elif key.type == "ordering":
        found.append(json.dumps(list(key.order)).replace(" ", ""))
    return [s for s in found if s and s not in shown]


def assert_no_leak(body: str, secrets: list[str], where: str) -> None:
    compact = json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":"))
    for secret in secrets:
        if secret.startswith('"') and secret.endswith('"') and secret.count('"') == 2:
            # A lone id: it is shown as an option; what must not appear is it marked correct.
            assert f'"correct":{secret}' not in compact, where
            continue
        assert secret not in compact, f"{where} leaks {secret[:60]!r}"
    for path, key, value in walk(json.loads(body)):
        if key == "feedback" and value in POLICIES:
            continue  # the quiz's feedback policy, not feedback
        if key in FORBIDDEN_KEYS:
            assert value in (None, [], {}), f"{where}: {path}.{key} = {value!r}"
        if key in NULL_UNTIL_RELEASED:
            assert value is None, f"{where}: {path}.{key} = {value!r}"


def test_no_student_route_leaks_keys_or_others_data_before_release(
    classroom: Classroom,
    make_user: Callable[..., User],
    auth_headers: Callable[[User], dict[str, str]],
    session: Session,
) -> None:
    room = classroom
    names = [f"s{n}" for n in range(STUDENTS)]
    for name in names:
        user = make_user(email=f"{name}@example.org")
        room.users[name] = user
        room.headers[name] = auth_headers(user)
        room.call("POST", f"/courses/{room.course_id}/members", "prof", json={"email": user.email})
    closes = utcnow() + timedelta(hours=2)
    draw = {"kind": "draw", "bank_version_id": room.bank_version, "count": 3,
            "tags": ["parameterised"], "points": 2}  # fmt: skip
    items = [*room.fixed(*[t for t in FIXED if t != "code"]), draw]
    quiz_id = room.quiz(items=items, feedback="after_close", closes_at=closes.isoformat())
    attempts: dict[str, int] = {}
    secrets: dict[str, list[str]] = {}
    for name in names:
        attempt = room.call("POST", f"/quizzes/{quiz_id}/attempts", name)
        attempts[name] = attempt.json()["id"]
        positions = len(attempt.json()["items"])
        variants = [variant_of(session, attempts[name], p, "en") for p in range(1, positions + 1)]
        secrets[name] = [s for v in variants for s in secrets_of(v)]
        assert_no_leak(attempt.text, secrets[name], f"{name} start")
    for name in names:
        mine, others = attempts[name], [a for n, a in attempts.items() if n != name]
        other_secrets = [s for n, ss in secrets.items() if n != name for s in ss]
        positions = range(1, len(items) + 3)
        for position in positions:
            # A cleared answer: a right one would rightly echo the key back as the response.
            saved = room.save(mine, position, None, revision=1, who=name)
            assert saved.status_code == 200, saved.text
            assert_no_leak(saved.text, secrets[name], f"{name} save {position}")
            item = room.call("GET", f"/attempts/{mine}/items/{position}", name)
            assert_no_leak(item.text, secrets[name], f"{name} item {position}")
        submitted = room.call("POST", f"/attempts/{mine}/submit", name)
        assert submitted.status_code == 200
        responses = {
            "submit": submitted,
            "attempt": room.call("GET", f"/attempts/{mine}", name),
            "attempts": room.call("GET", f"/quizzes/{quiz_id}/attempts", name),
            "quiz": room.call("GET", f"/quizzes/{quiz_id}", name),
            "quizzes": room.call("GET", f"/courses/{room.course_id}/quizzes", name),
            "course": room.call("GET", f"/courses/{room.course_id}", name),
            "courses": room.call("GET", "/courses", name),
        }
        for label, response in responses.items():
            assert response.status_code == 200, (label, response.text)
            assert_no_leak(response.text, secrets[name] + other_secrets, f"{name} {label}")
            assert all(
                f"s{n}@example.org" not in response.text for n in range(STUDENTS) if f"s{n}" != name
            ), label
        listed = responses["attempts"].json()["data"]
        assert [a["id"] for a in listed] == [mine]
        for other in others[:2]:
            assert room.call("GET", f"/attempts/{other}", name).status_code == 404
            assert room.call("GET", f"/attempts/{other}/items/1", name).status_code == 404
    # The policy releases feedback at the close: now the same detector finds the key.
    room.call(
        "PATCH",
        f"/quizzes/{quiz_id}",
        "prof",
        json={"closes_at": (utcnow() - timedelta(seconds=1)).isoformat()},
    )
    released = room.call("GET", f"/attempts/{attempts['s0']}", "s0").json()
    assert released["feedback_released"] is True
    assert released["score"] == 0
    assert all("key" in item for item in released["items"])
    stored = session.exec(select(AttemptItem).where(AttemptItem.attempt_id == attempts["s0"]))
    assert all(item.locked for item in stored)


def test_the_detector_sees_a_key(classroom: Classroom, session: Session) -> None:
    """The leak check fails on a body that does carry the key (it can fail)."""
    room = classroom
    attempt_id = room.start(room.quiz(items=room.fixed("single_choice", "matching")))["id"]
    variant = variant_of(session, attempt_id, 2, "en")
    leaky = json.dumps({"pairs": variant.key.model_dump(mode="json")["pairs"]})
    try:
        assert_no_leak(leaky, secrets_of(variant), "leaky")
    except AssertionError:
        return
    raise AssertionError("a body with the matching key passed the leak check")
