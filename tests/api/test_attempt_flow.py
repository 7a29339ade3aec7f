"""The attempt flow end to end over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from api.attempts.models import AttemptItem
from api.banks.store import parsed_bank, rendered_variant
from tests.api.classroom import Classroom


def correct_response(room: Classroom, attempt_id: int, position: int) -> Any:
    """The answer the key accepts, computed from the server's own variant."""
    item = room.session.exec(
        select(AttemptItem).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == position
        )
    ).one()
    variant = rendered_variant(
        item.bank_version_id,
        parsed_bank(room.session, item.bank_version_id),
        item.question_id,
        item.seed,
        None,
        shuffle=True,
    )
    key = variant.key
    match key.type:
        case "single_choice":
            return next(iter(key.correct))
        case "multiple_choice":
            return sorted(key.correct)
        case "true_false":
            return key.answer
        case "fill_in":
            return {b.id: (b.accept[0] if b.accept else "") for b in key.blanks}
        case "numeric":
            return key.answer
        case "matching":
            return dict(key.pairs)
        case "ordering":
            return list(key.order)
        case "code":
            return "async def main():\n    pass\n"
    raise AssertionError(key.type)


def test_a_student_takes_a_quiz_start_to_score(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("single_choice", "true_false", "numeric", "code"))
    attempt = room.start(quiz_id)
    assert attempt["status"] == "in_progress"
    assert [i["position"] for i in attempt["items"]] == [1, 2, 3, 4]
    attempt_id = attempt["id"]
    for position in (1, 2, 3, 4):
        response = correct_response(room, attempt_id, position)
        saved = room.client.put(
            f"/api/v1/attempts/{attempt_id}/items/{position}/answer",
            json={"response": response, "revision": 1},
            headers=room.headers["ana"],
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["changed"] is True
    item = room.client.get(f"/api/v1/attempts/{attempt_id}/items/1", headers=room.headers["ana"])
    assert item.status_code == 200, item.text
    submitted = room.client.post(
        f"/api/v1/attempts/{attempt_id}/submit", headers=room.headers["ana"]
    )
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["status"] == "submitted"
    assert body["feedback_released"] is True
    assert body["pending"] == 1
    code_points = body["items"][3]["points"]
    assert body["score"] == body["max_score"] - code_points
    assert body["items"][3]["status"] == "awaiting_grading"
    assert body["items"][3]["result"] == "pending"
