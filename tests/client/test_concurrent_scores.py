"""An override and an automatic score (a graded submission, a regrade) written at the same
time to one attempt, on a real server and database: both land and the total counts both.
api/attempts/scores.py locks the attempt, so the second writer sees what the first
committed."""

from __future__ import annotations

import threading

from sqlmodel import Session, select

from api.attempts import scores
from api.attempts.models import Attempt, AttemptItem
from tests.client.conftest import Classroom


def test_an_override_racing_a_regrade_keeps_the_total_right(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz("true_false", "single_choice")
    attempt_id = room.take(quiz_id, "ana", [False, False])
    locked = threading.Event()
    done = threading.Event()

    def regrade_item_one() -> None:
        with Session(room.live.engine) as session:
            attempt = scores.lock_attempt(session, attempt_id)
            assert attempt is not None
            item = session.exec(
                select(AttemptItem).where(
                    AttemptItem.attempt_id == attempt_id, AttemptItem.position == 1
                )
            ).one()
            scores.record_automatic(item, {**(item.result or {}), "points": 1.0})
            session.add(item)
            scores.recount(session, attempt)  # 1.0 as this transaction sees it
            locked.set()
            # Commit only after the override below was sent: without the lock it would count
            # without this change, and this total (1.0) would overwrite its total.
            done.wait(0.5)
            session.commit()

    writer = threading.Thread(target=regrade_item_one)
    writer.start()
    assert locked.wait(10)
    overridden = room.teacher.client.override(attempt_id, 2, points=0.5, reason="race")
    done.set()
    writer.join(10)
    assert overridden.score == 0.5
    with Session(room.live.engine) as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        items = session.exec(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)).all()
        assert sorted((i.position, i.score) for i in items) == [(1, 1.0), (2, 0.5)]
        assert attempt.score == 1.5
    assert room.teacher.client.scores(attempt_id).score == 1.5
