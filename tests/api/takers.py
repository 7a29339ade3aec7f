"""Students taking quizzes in one call, for the instructor-tools tests (overrides,
gradebook, statistics): `take(room, quiz_id, "ana", {1: "right", 2: "wrong"})`."""

from __future__ import annotations

from typing import Any, Literal

from tests.api.answers import right_answer, variant_of, wrong_answer
from tests.api.classroom import Classroom

Answer = Literal["right", "wrong"] | None


def take(
    room: Classroom,
    quiz_id: int,
    who: str,
    answers: dict[int, Answer | Any],
    *,
    submit: bool = True,
) -> int:
    """Start an attempt as `who`, answer each position ("right", "wrong", None to leave it,
    or a literal response) and submit it: the attempt's id."""
    attempt_id: int = room.start(quiz_id, who)["id"]
    for position, answer in answers.items():
        if answer is None:
            continue
        if answer in ("right", "wrong"):
            variant = variant_of(room.session, attempt_id, position)
            answer = right_answer(variant) if answer == "right" else wrong_answer(variant)
        saved = room.save(attempt_id, position, answer, revision=1, who=who)
        assert saved.status_code == 200, saved.text
    if submit:
        done = room.call("POST", f"/attempts/{attempt_id}/submit", who)
        assert done.status_code == 200, done.text
    return attempt_id
