"""The attempt flow end to end over HTTP, on SQLite and PostgreSQL: start, resume, autosave,
check, submit, deadlines, attempts and the score that counts."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from api.attempts import service as attempts
from api.attempts.models import Attempt, AttemptItem
from api.attempts.sweep import sweep_expired
from api.banks import service as banks
from api.core import migrations
from api.core.db import create_db_engine, transaction, utcnow
from api.courses import service as courses
from api.courses.models import CourseCreate, CourseRole
from api.quizzes import service as quizzes
from api.quizzes.models import QuizCreate
from api.users.models import Role, User
from questions import Bank as QuestionBank
from tests.api.answers import right_answer, variant_of, wrong_answer
from tests.api.classroom import FIXED, TITLE, Classroom
from tests.api.problems import assert_problem


def test_a_student_takes_a_quiz_start_to_score(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("single_choice", "true_false", "numeric", "code"))
    attempt = room.start(quiz_id)
    assert attempt["status"] == "in_progress"
    assert [i["position"] for i in attempt["items"]] == [1, 2, 3, 4]
    attempt_id = attempt["id"]
    for position in (1, 2, 3, 4):
        answer = right_answer(variant_of(room.session, attempt_id, position))
        saved = room.save(attempt_id, position, answer, revision=1)
        assert saved.status_code == 200, saved.text
        assert saved.json()["changed"] is True
    submitted = room.call("POST", f"/attempts/{attempt_id}/submit", "ana")
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["status"] == "submitted"
    assert body["closed_by"] == "student"
    assert body["feedback_released"] is True
    code = body["items"][3]
    assert code["status"] == "awaiting_grading"
    assert code["result"] == "pending"
    assert code["score"] is None
    assert body["pending"] == 1
    # The code question's points count in the total, not (yet) in the score.
    assert body["max_score"] == sum(i["points"] for i in body["items"])
    assert body["score"] == body["max_score"] - code["points"]
    assert all(i["result"] == "scored" for i in body["items"][:3])


def test_resuming_on_another_device_shows_the_same_questions_and_answers(
    classroom: Classroom,
) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("single_choice", "matching", "ordering"))
    first = room.start(quiz_id)
    answer = right_answer(variant_of(room.session, first["id"], 1))
    assert room.save(first["id"], 1, answer, revision=3).status_code == 200
    again = room.start(quiz_id)  # starting again resumes the attempt in progress
    assert again["id"] == first["id"]
    resumed = room.call("GET", f"/attempts/{first['id']}", "ana").json()
    assert [i["question"] for i in resumed["items"]] == [i["question"] for i in first["items"]]
    assert resumed["items"][0]["response"] == answer
    assert resumed["items"][0]["revision"] == 3
    for position in (1, 2, 3):
        single = room.call("GET", f"/attempts/{first['id']}/items/{position}", "ana").json()
        assert single["question"] == first["items"][position - 1]["question"]


def test_each_student_and_each_attempt_gets_its_own_variant(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("single_choice", "numeric"), attempts_allowed=2)
    ana = room.start(quiz_id, "ana")
    ben = room.start(quiz_id, "ben")
    assert ana["items"][0]["question"]["options"] != ben["items"][0]["question"]["options"]
    room.call("POST", f"/attempts/{ana['id']}/submit", "ana")
    second = room.start(quiz_id, "ana")
    assert second["number"] == 2
    assert second["items"][0]["question"]["options"] != ana["items"][0]["question"]["options"]


def test_autosave_is_idempotent_and_a_stale_revision_never_overwrites(
    classroom: Classroom,
) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"))
    attempt_id = room.start(quiz_id)["id"]
    first = room.save(attempt_id, 1, True, revision=5)
    assert first.json()["changed"] is True
    repeated = room.save(attempt_id, 1, True, revision=5)
    assert repeated.status_code == 200
    assert repeated.json() == {**first.json(), "changed": False}
    newer = room.save(attempt_id, 1, False, revision=6)
    assert newer.status_code == 200
    stale = room.save(attempt_id, 1, True, revision=4)
    body = assert_problem(stale, 409, "stale-answer")
    assert "6" in body["detail"]
    conflicting = room.save(attempt_id, 1, True, revision=6)
    assert_problem(conflicting, 409, "stale-answer")
    kept = room.call("GET", f"/attempts/{attempt_id}", "ana").json()["items"][0]
    assert (kept["response"], kept["revision"]) == (False, 6)


def test_malformed_answers_are_refused_and_the_saved_answer_is_kept(
    classroom: Classroom,
) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("single_choice", "numeric", "code"))
    attempt_id = room.start(quiz_id)["id"]
    good = right_answer(variant_of(room.session, attempt_id, 1))
    assert room.save(attempt_id, 1, good, revision=1).status_code == 200
    for position, bad in [
        (1, "no-such-option"),
        (1, ["a", "b"]),
        (1, {"x": 1}),
        (2, "twelve apples"),
        (3, ["not", "text"]),
        (3, "x" * (64 * 1024 + 1)),
    ]:
        refused = room.save(attempt_id, position, bad, revision=2)
        body = assert_problem(refused, 422, "invalid-answer")
        assert body["errors"][0]["loc"] == ["body", "response"]
        assert "Nothing was saved" in body["detail"]
    for body in (
        {"response": good},
        {"revision": 2},
        {"response": good, "revision": 0},
        {"response": good, "revision": 2, "extra": 1},
    ):
        refused = room.call("PUT", f"/attempts/{attempt_id}/items/1/answer", "ana", json=body)
        assert_problem(refused, 422, "validation-failed")
    malformed_json = room.call(
        "PUT",
        f"/attempts/{attempt_id}/items/1/answer",
        "ana",
        content=b'{"response": ',
        headers={"content-type": "application/json"},
    )
    assert_problem(malformed_json, 400, "malformed-body")
    kept = room.call("GET", f"/attempts/{attempt_id}", "ana").json()["items"][0]
    assert (kept["response"], kept["revision"]) == (good, 1)


def test_unknown_items_and_attempts_are_404(classroom: Classroom) -> None:
    room = classroom
    attempt_id = room.start(room.quiz())["id"]
    assert_problem(room.save(attempt_id, 99, True, revision=1), 404, "not-found")
    assert_problem(room.call("GET", f"/attempts/{attempt_id}/items/99", "ana"), 404, "not-found")
    assert_problem(room.save(attempt_id + 1000, 1, True, revision=1), 404, "not-found")


def _expire(room: Classroom, attempt_id: int) -> None:
    attempt = room.session.get(Attempt, attempt_id)
    assert attempt is not None
    attempt.deadline = utcnow() - timedelta(seconds=1)
    room.session.add(attempt)
    room.session.commit()


def test_a_save_after_the_deadline_is_refused_and_the_attempt_is_closed_and_scored(
    classroom: Classroom,
) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false", "single_choice"), time_limit_minutes=30)
    attempt = room.start(quiz_id)
    assert attempt["deadline"] is not None
    right = right_answer(variant_of(room.session, attempt["id"], 1))
    assert room.save(attempt["id"], 1, right, revision=1).status_code == 200
    _expire(room, attempt["id"])
    late = room.save(attempt["id"], 2, "anything", revision=1)
    body = assert_problem(late, 409, "deadline-passed")
    assert "deadline" in body["detail"]
    closed = room.call("GET", f"/attempts/{attempt['id']}", "ana").json()
    assert closed["status"] == "submitted"
    assert closed["closed_by"] == "deadline"
    assert closed["items"][0]["response"] == right  # saved in time: kept and scored
    assert closed["score"] == closed["items"][0]["points"]
    assert_problem(
        room.call("POST", f"/attempts/{attempt['id']}/submit", "ana"), 200, "x"
    ) if False else None
    again = room.save(attempt["id"], 1, right, revision=2)
    assert_problem(again, 409, "attempt-closed")


def test_an_attempt_left_open_is_closed_on_its_next_access(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"), time_limit_minutes=10)
    attempt_id = room.start(quiz_id, "ana")["id"]
    _expire(room, attempt_id)
    after = room.call("GET", f"/attempts/{attempt_id}", "ana").json()
    assert (after["status"], after["closed_by"]) == ("submitted", "deadline")
    quiz = room.call("GET", f"/quizzes/{quiz_id}", "ana").json()
    assert quiz["in_progress_attempt"] is None


def test_the_sweep_closes_attempts_nobody_touches(
    fresh_database_url: str, shipped_bank: QuestionBank
) -> None:
    engine = create_db_engine(fresh_database_url)
    try:
        migrations.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session, transaction(session):
            version, _ = banks.import_bank(session=session, bank=shipped_bank, source="shipped")
            prof = User(email="prof@example.org", role=Role.instructor, hashed_password="x")
            students = [
                User(email=f"s{n}@example.org", role=Role.student, hashed_password="x")
                for n in range(3)
            ]
            session.add_all([prof, *students])
            session.flush()
            course = courses.create_course(
                session=session, course_in=CourseCreate(title=TITLE), instructor=prof
            )
            quiz = quizzes.create_quiz(
                session=session,
                course=course,
                quiz_in=QuizCreate.model_validate(
                    {
                        "title": TITLE,
                        "time_limit_minutes": 5,
                        "items": [
                            {
                                "kind": "question",
                                "bank_version_id": version.id,
                                "question_id": FIXED["true_false"],
                            }
                        ],
                    }
                ),
            )
            quizzes.publish_quiz(session=session, quiz=quiz)
            started = []
            for student in students:
                courses.add_member(
                    session=session, course=course, email=student.email, role=CourseRole.student
                )
                attempt, _ = attempts.start_attempt(session=session, quiz=quiz, student=student)
                started.append(attempt)
            for attempt in started[:2]:  # two ran out of time; the third has minutes left
                attempt.deadline = utcnow() - timedelta(seconds=1)
                session.add(attempt)
        assert sweep_expired(engine) == 2
        assert sweep_expired(engine) == 0  # idempotent
        with Session(engine) as session:
            states = {
                a.id: (a.status, a.closed_by)
                for a in session.exec(select(Attempt).order_by(col(Attempt.id)))
            }
        assert list(states.values()) == [
            ("submitted", "deadline"),
            ("submitted", "deadline"),
            ("in_progress", None),
        ]
    finally:
        engine.dispose()


def test_submit_after_the_deadline_says_so_and_keeps_the_closing(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"), time_limit_minutes=5)
    attempt_id = room.start(quiz_id)["id"]
    _expire(room, attempt_id)
    assert_problem(
        room.call("POST", f"/attempts/{attempt_id}/submit", "ana"), 409, "deadline-passed"
    )
    closed = room.session.exec(select(Attempt).where(Attempt.id == attempt_id)).one()
    room.session.refresh(closed)
    assert closed.status == "submitted"
    assert closed.closed_by == "deadline"


def test_attempts_are_limited_and_the_counted_score_follows_the_policy(
    classroom: Classroom,
) -> None:
    room = classroom
    for policy, expected in (("highest", 1.0), ("last", 0.0)):
        quiz_id = room.quiz(
            items=room.fixed("true_false"), attempts_allowed=2, counted_attempt=policy
        )
        for answer_right in (True, False):
            attempt_id = room.start(quiz_id)["id"]
            variant = variant_of(room.session, attempt_id, 1)
            answer = right_answer(variant) if answer_right else wrong_answer(variant)
            room.save(attempt_id, 1, answer, revision=1)
            room.call("POST", f"/attempts/{attempt_id}/submit", "ana")
        exhausted = room.call("POST", f"/quizzes/{quiz_id}/attempts", "ana")
        assert_problem(exhausted, 409, "attempts-exhausted")
        standing = room.call("GET", f"/quizzes/{quiz_id}", "ana").json()
        assert standing["attempts_used"] == 2
        assert standing["score"] == expected
        results = room.call("GET", f"/quizzes/{quiz_id}/results", "prof").json()
        ana = next(r for r in results["data"] if r["email"] == "ana@example.org")
        assert (ana["attempts"], ana["score"]) == (2, expected)
        ben = next(r for r in results["data"] if r["email"] == "ben@example.org")
        assert (ben["attempts"], ben["score"]) == (0, None)


def test_a_quiz_is_taken_only_within_its_window(classroom: Classroom) -> None:
    room = classroom
    now = utcnow()
    upcoming = room.quiz(opens_at=(now + timedelta(hours=1)).isoformat())
    body = assert_problem(
        room.call("POST", f"/quizzes/{upcoming}/attempts", "ana"), 403, "quiz-not-open"
    )
    assert "opens at" in body["detail"]
    closed = room.quiz(
        opens_at=(now - timedelta(hours=2)).isoformat(),
        closes_at=(now - timedelta(hours=1)).isoformat(),
    )
    assert_problem(room.call("POST", f"/quizzes/{closed}/attempts", "ana"), 403, "quiz-closed")
    zh = room.call("POST", f"/quizzes/{closed}/attempts", "ana", params={"lang": "zh-CN"})
    assert "关闭" in zh.json()["detail"]


def test_the_close_time_cuts_an_attempt_short(classroom: Classroom) -> None:
    room = classroom
    closes = utcnow() + timedelta(minutes=10)
    quiz_id = room.quiz(closes_at=closes.isoformat(), time_limit_minutes=60)
    attempt = room.start(quiz_id)
    assert attempt["deadline"].startswith(closes.isoformat()[:19])


def test_feedback_after_each_answer_locks_the_checked_question(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false", "single_choice"), feedback="after_each")
    attempt_id = room.start(quiz_id)["id"]
    right = right_answer(variant_of(room.session, attempt_id, 1))
    room.save(attempt_id, 1, right, revision=1)
    checked = room.call("POST", f"/attempts/{attempt_id}/items/1/check", "ana")
    assert checked.status_code == 200, checked.text
    review = checked.json()
    assert review["score"] == review["points"]
    assert review["locked"] is True
    assert review["explanation"]
    assert_problem(room.save(attempt_id, 1, not right, revision=2), 409, "answer-locked")
    view = room.call("GET", f"/attempts/{attempt_id}", "ana").json()
    assert "key" in view["items"][0]
    assert "key" not in view["items"][1]  # not checked yet
    other = room.quiz(items=room.fixed("true_false"))
    other_attempt = room.start(other, "ben")["id"]
    assert_problem(
        room.call("POST", f"/attempts/{other_attempt}/items/1/check", "ben"),
        409,
        "feedback-not-per-item",
    )


def test_feedback_after_close_waits_for_the_close_time(classroom: Classroom) -> None:
    room = classroom
    closes = utcnow() + timedelta(hours=1)
    quiz_id = room.quiz(
        items=room.fixed("true_false"), feedback="after_close", closes_at=closes.isoformat()
    )
    attempt_id = room.start(quiz_id)["id"]
    room.save(attempt_id, 1, True, revision=1)
    submitted = room.call("POST", f"/attempts/{attempt_id}/submit", "ana").json()
    assert submitted["feedback_released"] is False
    assert submitted["score"] is None
    assert "key" not in submitted["items"][0]
    assert room.call("GET", f"/quizzes/{quiz_id}", "ana").json()["score"] is None
    # The instructor moves the close time to the past: feedback is released.
    room.call(
        "PATCH",
        f"/quizzes/{quiz_id}",
        "prof",
        json={"closes_at": (utcnow() - timedelta(seconds=1)).isoformat()},
    )
    released = room.call("GET", f"/attempts/{attempt_id}", "ana").json()
    assert released["feedback_released"] is True
    assert released["score"] is not None
    assert "key" in released["items"][0]


def test_option_shuffling_can_be_turned_off(
    classroom: Classroom, shipped_bank: QuestionBank
) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("single_choice"), shuffle_options=False)
    question = room.start(quiz_id)["items"][0]["question"]
    written = shipped_bank.question("docker-client-daemon").options
    assert [o["text"]["en"] for o in question["options"]] == [o.text["en"] for o in written]


def test_questions_come_in_the_language_asked_for(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz()
    zh = room.start(quiz_id, lang="zh-CN")
    assert zh["items"][0]["question"]["languages"] == ["zh-CN"]
    attempt_id = zh["id"]
    en = room.call(
        "GET",
        f"/attempts/{attempt_id}/items/1",
        "ana",
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    ).json()
    assert en["question"]["languages"] == ["en"]
    zh_item = room.call(
        "GET", f"/attempts/{attempt_id}/items/1", "ana", headers={"Accept-Language": "zh-TW"}
    ).json()
    assert list(zh_item["question"]["text"]) == ["zh-CN"]
    quiz = room.call("GET", f"/quizzes/{quiz_id}", "ana", params={"lang": "zh-CN"}).json()
    assert quiz["title"] == "测验"


def test_instructors_cannot_take_or_answer_attempts(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz()
    assert_problem(room.call("POST", f"/quizzes/{quiz_id}/attempts", "prof"), 403, "not-enrolled")
    attempt_id = room.start(quiz_id)["id"]
    assert_problem(room.save(attempt_id, 1, True, revision=1, who="prof"), 403, "not-your-attempt")
    seen = room.call("GET", f"/attempts/{attempt_id}", "prof").json()
    assert seen["student_email"] == "ana@example.org"
    assert "key" in seen["items"][0]


def test_saved_answers_survive_in_the_database(classroom: Classroom) -> None:
    room = classroom
    attempt_id = room.start(room.quiz(items=room.fixed("fill_in")))["id"]
    answer = right_answer(variant_of(room.session, attempt_id, 1))
    room.save(attempt_id, 1, answer, revision=9)
    item = room.session.exec(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)).one()
    room.session.refresh(item)
    assert (item.response, item.revision) == (answer, 9)
