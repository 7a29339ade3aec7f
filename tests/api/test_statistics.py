"""Item statistics: the measures against hand-computed examples and their defining properties,
and GET /quizzes/{id}/statistics over HTTP on SQLite and PostgreSQL (per question, under the
authored option ids whatever each student saw)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.statistics import measures
from api.users.models import User
from tests.api.answers import variant_of
from tests.api.classroom import FIXED, Classroom
from tests.api.takers import take

# --- the measures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "rest", "expected"),
    [
        # Worked by hand: r = sum(dx*dy) / sqrt(sum(dx^2) * sum(dy^2)).
        pytest.param([1, 1, 0, 0], [3, 2, 1, 0], 2 / math.sqrt(5), id="right-or-wrong"),
        pytest.param([1, 0, 1, 0], [3, 3, 0, 0], 0.0, id="unrelated"),
        pytest.param([2, 2, 0, 0], [2, 1, 1, 0], 2 / math.sqrt(8), id="two points"),
        pytest.param([0, 0, 1, 1], [3, 2, 1, 0], -2 / math.sqrt(5), id="negative"),
        pytest.param([0.5, 1, 0], [2, 4, 0], 1.0, id="partial credit, perfectly ordered"),
        pytest.param([1, 1, 1], [3, 2, 1], None, id="everyone right"),
        pytest.param([1, 0, 1], [2, 2, 2], None, id="no spread in the rest"),
        pytest.param([0.1, 0.1, 0.1], [0.3, 0.2, 0.1], None, id="constant with float noise"),
        pytest.param([1], [3], None, id="one attempt"),
        pytest.param([], [], None, id="none"),
    ],
)
def test_point_biserial_against_hand_computed_values(
    item: list[float], rest: list[float], expected: float | None
) -> None:
    r = measures.point_biserial(item, rest)
    if expected is None:
        assert r is None
    else:
        assert r == pytest.approx(expected, abs=1e-12)


scores = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(st.booleans(), scores), min_size=2, max_size=60))
def test_for_right_or_wrong_items_it_is_the_point_biserial_formula(
    pairs: list[tuple[bool, float]],
) -> None:
    """r = (M1 - M0) / s_y * sqrt(p q), with s_y the population standard deviation."""
    item = [1.0 if right else 0.0 for right, _ in pairs]
    rest = [round(y, 6) for _, y in pairs]
    r = measures.point_biserial(item, rest)
    right = [y for x, y in zip(item, rest, strict=True) if x == 1]
    wrong = [y for x, y in zip(item, rest, strict=True) if x == 0]
    s_y = measures.stdev(rest)
    assert s_y is not None
    if not right or not wrong or s_y < 1e-6:
        assert r is None
        return
    p, q = len(right) / len(item), len(wrong) / len(item)
    expected = (sum(right) / len(right) - sum(wrong) / len(wrong)) / s_y * math.sqrt(p * q)
    assert r == pytest.approx(expected, abs=1e-9)


@given(
    st.lists(st.tuples(scores, scores), min_size=2, max_size=60),
    st.floats(min_value=0.1, max_value=10),
    st.floats(min_value=-50, max_value=50),
)
def test_it_is_bounded_and_ignores_units_and_offsets(
    pairs: list[tuple[float, float]], scale: float, shift: float
) -> None:
    item = [round(x, 6) for x, _ in pairs]
    rest = [round(y, 6) for _, y in pairs]
    r = measures.point_biserial(item, rest)
    if r is None:
        return
    assert -1.0 <= r <= 1.0
    assert not math.isnan(r)
    moved = measures.point_biserial(item, [y * scale + shift for y in rest])
    if moved is not None:  # rescaling may push a tiny spread under the noise floor
        assert moved == pytest.approx(r, abs=1e-6)
    assert measures.point_biserial(rest, item) == pytest.approx(r, abs=1e-9)


def test_means_facility_and_histograms() -> None:
    assert measures.mean([]) is None
    assert measures.stdev([]) is None
    assert measures.mean([1, 2, 3, 4]) == 2.5
    assert measures.stdev([5, 4, 2, 1]) == pytest.approx(math.sqrt(2.5))
    # Each score against its own maximum: a question drawn at 1 point and at 2 points.
    assert measures.facility([1, 1], [1, 2]) == 0.75
    assert measures.facility([], []) is None
    bins = measures.histogram([0.0, 0.3, 0.1 + 0.2, 0.95, 1.0, 1.5, -0.2])
    assert [b.count for b in bins] == [2, 0, 0, 2, 0, 0, 0, 0, 0, 3]
    assert (bins[3].lower, bins[3].upper) == (0.3, 0.4)
    assert sum(b.count for b in measures.histogram([])) == 0


# --- over HTTP -------------------------------------------------------------------------------


def _enrol(
    room: Classroom,
    make_user: Callable[..., User],
    auth_headers: Callable[[User], dict[str, str]],
    *names: str,
) -> None:
    for name in names:
        user = make_user(email=f"{name}@example.org", full_name=name.title())
        room.users[name] = user
        room.headers[name] = auth_headers(user)
        added = room.call(
            "POST", f"/courses/{room.course_id}/members", "prof", json={"email": user.email}
        )
        assert added.status_code == 201, added.text


@pytest.fixture
def four_students(
    classroom: Classroom,
    make_user: Callable[..., User],
    auth_headers: Callable[[User], dict[str, str]],
) -> Classroom:
    _enrol(classroom, make_user, auth_headers, "cat", "dan")
    return classroom


def test_statistics_match_the_hand_computed_example(four_students: Classroom) -> None:
    room = four_students
    quiz_id = room.quiz(
        items=room.fixed("true_false", "single_choice", "multiple_choice", "numeric")
    )
    # Totals 5, 4, 2, 1 (numeric: everyone right, so it cannot discriminate).
    ana = take(room, quiz_id, "ana", {1: "right", 2: "right", 3: "right", 4: "right"})
    take(room, quiz_id, "ben", {1: "right", 2: "wrong", 3: "right", 4: "right"})
    take(room, quiz_id, "cat", {1: "wrong", 2: "right", 3: None, 4: "right"})
    take(room, quiz_id, "dan", {1: "wrong", 2: "wrong", 3: None, 4: "right"})
    response = room.call("GET", f"/quizzes/{quiz_id}/statistics", "prof")
    assert response.status_code == 200, response.text
    assert "NaN" not in response.text
    stats = response.json()
    assert (stats["n"], stats["max_score"], stats["mean"], stats["median"]) == (4, 5.0, 3.0, 3.0)
    assert stats["sd"] == round(math.sqrt(2.5), 4)
    assert [b["count"] for b in stats["histogram"]] == [0, 0, 1, 0, 1, 0, 0, 0, 1, 1]
    tf, sc, mc, numeric = stats["questions"]
    assert [q["question_id"] for q in (tf, sc, mc, numeric)] == [
        FIXED["true_false"],
        FIXED["single_choice"],
        FIXED["multiple_choice"],
        FIXED["numeric"],
    ]
    expected = {
        # (n, unanswered, max_points, mean, facility, discrimination)
        "tf": (4, 0, 1.0, 0.5, 0.5, round(2 / math.sqrt(5), 4)),
        "sc": (4, 0, 1.0, 0.5, 0.5, 0.0),
        "mc": (4, 2, 2.0, 1.0, 0.5, round(2 / math.sqrt(8), 4)),
        "numeric": (4, 0, 1.0, 1.0, 1.0, None),
    }
    for name, question in zip(expected, (tf, sc, mc, numeric), strict=True):
        got = tuple(
            question[k]
            for k in ("n", "unanswered", "max_points", "mean", "facility", "discrimination")
        )
        assert got == expected[name], name
    assert [b["count"] for b in tf["histogram"]] == [2, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    assert numeric["options"] is None

    # Options under the ids the author wrote, though every student saw shuffled ids.
    sc_options = {o["id"]: (o["count"], o["correct"]) for o in sc["options"]}
    assert set(sc_options) == {"a", "b", "c", "d"}
    assert sc_options["a"] == (2, True)
    assert sum(count for count, _ in sc_options.values()) == 4
    assert all(correct is False for option, (_, correct) in sc_options.items() if option != "a")
    mc_options = {o["id"]: (o["count"], o["correct"]) for o in mc["options"]}
    assert mc_options == {
        "a": (2, True),
        "b": (2, True),
        "c": (0, False),
        "d": (0, False),
        "e": (0, False),
    }
    assert all(o["text"] for o in mc["options"])
    truth = variant_of(room.session, ana, 1).key
    tf_options = {o["id"]: (o["count"], o["correct"]) for o in tf["options"]}
    assert tf_options == {
        "true": (2, truth.answer is True),
        "false": (2, truth.answer is False),
    }


def test_shuffled_options_are_counted_under_their_authored_ids(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("single_choice"))
    shown = {}
    for who in ("ana", "ben"):
        attempt_id = room.start(quiz_id, who)["id"]
        variant = variant_of(room.session, attempt_id, 1)
        # Both pick the option the author wrote as "c", each under their own shown id.
        option = next(s for s, a in variant.key.authored.items() if a == "c")
        shown[who] = option
        take(room, quiz_id, who, {1: option})
    assert shown["ana"] != shown["ben"]
    stats = room.call("GET", f"/quizzes/{quiz_id}/statistics", "prof").json()
    counts = {o["id"]: o["count"] for o in stats["questions"][0]["options"]}
    assert counts == {"a": 0, "b": 0, "c": 2, "d": 0}


def test_a_drawn_question_is_one_question_wherever_it_appeared(
    four_students: Classroom,
) -> None:
    room = four_students
    draw = {
        "kind": "draw",
        "bank_version_id": room.bank_version,
        "count": 2,
        "types": ["true_false"],
    }
    quiz_id = room.quiz(items=[draw])
    for who in ("ana", "ben", "cat", "dan"):
        take(room, quiz_id, who, {1: "right", 2: "wrong"})
    stats = room.call("GET", f"/quizzes/{quiz_id}/statistics", "prof").json()
    assert sum(q["n"] for q in stats["questions"]) == 8
    assert all(set(q["positions"]) <= {1, 2} for q in stats["questions"])
    assert len({q["question_id"] for q in stats["questions"]}) == len(stats["questions"])


def test_counted_or_all_attempts_and_overrides(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"), attempts_allowed=2)
    take(room, quiz_id, "ana", {1: "wrong"})
    second = take(room, quiz_id, "ana", {1: "right"})
    counted = room.call("GET", f"/quizzes/{quiz_id}/statistics", "prof").json()
    assert (counted["attempts"], counted["n"], counted["questions"][0]["mean"]) == (
        "counted",
        1,
        1.0,
    )
    every = room.call("GET", f"/quizzes/{quiz_id}/statistics?attempts=all", "prof").json()
    assert (every["n"], every["questions"][0]["mean"]) == (2, 0.5)
    room.call(
        "POST",
        f"/attempts/{second}/items/1/override",
        "prof",
        json={"points": 0.5, "reason": "half credit"},
    )
    after = room.call("GET", f"/quizzes/{quiz_id}/statistics?attempts=all", "prof").json()
    assert after["questions"][0]["mean"] == 0.25


def test_a_quiz_nobody_took_has_null_figures_not_nan(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false", "single_choice"))
    response = room.call("GET", f"/quizzes/{quiz_id}/statistics", "prof")
    assert response.status_code == 200
    body = json.loads(response.text)  # strict enough: NaN would still parse, so also:
    assert "NaN" not in response.text
    assert (body["n"], body["mean"], body["sd"], body["median"]) == (0, None, None, None)
    assert body["questions"] == []


def test_only_the_course_instructors_read_statistics(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"))
    take(room, quiz_id, "ana", {1: "right"})
    got = {
        actor: room.call(
            "GET", f"/quizzes/{quiz_id}/statistics", None if actor == "anonymous" else actor
        ).status_code
        for actor in ("anonymous", "zoe", "eve", "ben", "ana", "prof")
    }
    assert got == {"anonymous": 401, "zoe": 404, "eve": 404, "ben": 403, "ana": 403, "prof": 200}
