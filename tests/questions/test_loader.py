from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from questions import BankInvalid, load_bank, validate_bank
from tests.questions.conftest import ASSIGNMENTS, FIXTURE_BANK
from tests.services import require_bwrap


def write(bank: Path, name: str, text: str) -> Path:
    path = bank / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def problems(bank: Path, assignments: frozenset[str] | None = ASSIGNMENTS) -> list[str]:
    return [str(p) for p in validate_bank(bank, assignments=assignments).problems]


GOOD = """
    id: extra-q
    type: true_false
    topic: loops
    difficulty: 1
    source: ["Event loops"]
    text: {zh-CN: 对吗？, en: Right?}
    explanation: {zh-CN: 对。, en: Yes.}
    answer: true
"""


def test_the_fixture_bank_loads_with_every_type(bank_copy: Path) -> None:
    bank = load_bank(FIXTURE_BANK, assignments=ASSIGNMENTS)
    assert {q.type for q in bank.questions.values()} == {
        "single_choice",
        "multiple_choice",
        "true_false",
        "fill_in",
        "numeric",
        "matching",
        "ordering",
        "code",
    }
    assert bank.files["loops-single"] == "loops/loops-single.yaml"
    assert len(bank.generated["coroutines-backoff"]) == 20


def test_every_problem_is_reported_at_once_with_file_line_and_field(bank_copy: Path) -> None:
    write(
        bank_copy,
        "loops/broken.yaml",
        """
        id: broken
        type: single_choice
        topic: loops
        difficulty: 9
        source: ["Event loops", "No such heading"]
        text: {zh-CN: 题目}
        explanation: {zh-CN: 解释, en: Why}
        colour: red
        options:
          - id: a
            text: {zh-CN: 甲, en: A}
            correct: true
          - id: a
            text: {zh-CN: 乙, en: B}
            correct: true
    """,
    )
    found = problems(bank_copy)
    assert "loops/broken.yaml:4: difficulty: Input should be less than or equal to 5" in found
    assert (
        "loops/broken.yaml:8: colour: unknown field (see questions/README.md "
        "for the fields of each type)" in found
    )
    assert len(found) == 2  # schema errors stop that file; the rest of the bank still loads
    (bank_copy / "loops/broken.yaml").write_text(
        (bank_copy / "loops/broken.yaml")
        .read_text()
        .replace("difficulty: 9", "difficulty: 2")
        .replace("colour: red\n", "")
    )
    found = problems(bank_copy)
    assert "loops/broken.yaml:6: text.en: missing the en text" in found
    assert any(
        p.startswith("loops/broken.yaml:5: source: no such heading path") and "did you mean" in p
        for p in found
    )
    assert "loops/broken.yaml:12: options[1].id: option id 'a' is used twice" in found
    assert (
        "loops/broken.yaml:8: options: a single_choice question needs exactly "
        "one correct option, not 2" in found
    )


def test_yaml_syntax_errors_and_duplicate_keys_name_their_line(bank_copy: Path) -> None:
    write(bank_copy, "loops/syntax.yaml", "id: syntax\ntext: [unclosed\n")
    write(
        bank_copy,
        "loops/dupe.yaml",
        GOOD.replace("    answer: true", "    answer: true\n    answer: false"),
    )
    found = problems(bank_copy)
    assert any(p.startswith("loops/syntax.yaml:3: not valid YAML") for p in found), found
    assert (
        "loops/dupe.yaml:9: answer: this key is written twice; the file must say it once" in found
    )


def test_ids_must_be_unique_across_the_bank(bank_copy: Path) -> None:
    write(bank_copy, "zz/copy.yaml", GOOD.replace("extra-q", "loops-single"))
    assert (
        "zz/copy.yaml:1: id: id 'loops-single' is already used by loops/loops-single.yaml"
        in problems(bank_copy)
    )


def test_unknown_type_is_named_with_the_types_that_exist(bank_copy: Path) -> None:
    write(bank_copy, "loops/essay.yaml", GOOD.replace("true_false", "essay"))
    [problem] = problems(bank_copy)
    assert problem.startswith(
        "loops/essay.yaml:2: type: 'essay' is not a type; use one of: single_choice"
    )


def test_languages_of_the_manifest_are_required_and_no_others(bank_copy: Path) -> None:
    write(
        bank_copy,
        "loops/lang.yaml",
        GOOD.replace(
            "text: {zh-CN: 对吗？, en: Right?}", "text: {zh-CN: 对吗？, en: ' ', fr: Vrai ?}"
        ),
    )
    found = problems(bank_copy)
    assert "loops/lang.yaml:6: text.en: the en text is empty" in found
    assert "loops/lang.yaml:6: text.fr: 'fr' is not a language of the bank (zh-CN, en)" in found


def test_drafts_may_await_translation_but_ready_questions_may_not(bank_copy: Path) -> None:
    draft = (
        GOOD.replace("text: {zh-CN: 对吗？, en: Right?}", "text: {zh-CN: 对吗？}")
        + "    status: draft\n    needs_translation: [en]\n"
    )
    write(bank_copy, "loops/draft.yaml", draft)
    assert problems(bank_copy) == []
    write(bank_copy, "loops/draft.yaml", draft.replace("status: draft", "status: ready"))
    found = problems(bank_copy)
    assert (
        "loops/draft.yaml:10: needs_translation: only drafts may await "
        "translation: translate the texts, remove needs_translation" in found
    )
    assert "loops/draft.yaml:6: text.en: missing the en text" in found


def test_params_and_placeholders_are_checked_against_each_other(bank_copy: Path) -> None:
    write(
        bank_copy,
        "loops/params.yaml",
        """
        id: params-q
        type: numeric
        topic: loops
        difficulty: 3
        source: ["Event loops"]
        params:
          n: {range: [0, 3]}
          k: {range: [5, 2]}
        derived:
          t: "10 / n"
          u: "open('x')"
        text: {zh-CN: "{{ n }} 与 {{ m }}", en: "{{ n }} and {{ m }}"}
        explanation: {zh-CN: 因为。, en: Because.}
        answer: "t + zz"
    """,
    )
    found = problems(bank_copy)
    assert "loops/params.yaml:8: params.k: range [5, 2] is empty" in found
    assert any(
        p.startswith("loops/params.yaml:11: derived.u: only these functions may be called")
        for p in found
    )
    assert any(
        p.startswith("loops/params.yaml:12: text.zh-CN: placeholder {{ m }}: unknown name 'm'")
        for p in found
    )
    assert any(p.startswith("loops/params.yaml:14: answer: unknown name 'zz'") for p in found)


def test_every_parameter_combination_is_rendered_and_checked(bank_copy: Path) -> None:
    write(
        bank_copy,
        "loops/divide.yaml",
        """
        id: divide-q
        type: numeric
        topic: loops
        difficulty: 3
        source: ["Event loops"]
        params:
          n: {range: [0, 3]}
        derived:
          t: "10 / n"
        text: {zh-CN: "{{ n }}", en: "{{ n }}"}
        explanation: {zh-CN: 因为。, en: Because.}
        answer: t
    """,
    )
    write(
        bank_copy,
        "loops/same.yaml",
        """
        id: same-q
        type: single_choice
        topic: loops
        difficulty: 3
        source: ["Event loops"]
        params:
          n: {range: [1, 3]}
        text: {zh-CN: "{{ n }}?", en: "{{ n }}?"}
        explanation: {zh-CN: 因为。, en: Because.}
        options:
          - {id: a, text: {zh-CN: "{{ n * 2 }}", en: "{{ n * 2 }}"}, correct: true}
          - {id: b, text: {zh-CN: "{{ n + 2 }}", en: "{{ n + 2 }}"}}
    """,
    )
    found = problems(bank_copy)
    assert "loops/divide.yaml:9: derived.t: with n=0: derived t: division by zero" in found
    assert (
        "loops/same.yaml:12: options[1]: shown option 2 repeats shown option 1 in en (with n=2)"
        in found
    )


def test_stray_placeholder_in_a_plain_question_is_an_error_but_code_is_left_alone(
    bank_copy: Path,
) -> None:
    write(
        bank_copy,
        "loops/tpl.yaml",
        GOOD.replace("en: Right?}", "en: 'Is `{{ name }}` a Tornado template? {{ x }}'}"),
    )
    [problem] = problems(bank_copy)
    assert (
        problem
        == "loops/tpl.yaml:6: text.en: placeholder {{ x }} but the question declares no params"
    )


def test_fill_in_blanks_must_appear_once_per_language(bank_copy: Path) -> None:
    path = bank_copy / "loops/loops-fill-in.yaml"
    path.write_text(
        path.read_text()
        .replace("[[b2]]。", "[[b3]]。")
        .replace("regex: ['e?poll\\(7\\)']", "regex: ['(unclosed']")
    )
    found = problems(bank_copy)
    assert (
        "loops/loops-fill-in.yaml:7: text.zh-CN: [[b2]] must appear once in the text, not 0 times"
        in found
    )
    assert (
        "loops/loops-fill-in.yaml:7: text.zh-CN: [[b3]] is not a declared blank (blanks: b1, b2)"
        in found
    )
    assert any(
        p.startswith(
            "loops/loops-fill-in.yaml:12: blanks[0].regex[0]: not a valid regular expression"
        )
        for p in found
    )


def test_code_questions_name_a_known_assignment_only_when_a_catalogue_is_given(
    bank_copy: Path,
) -> None:
    assert problems(bank_copy, assignments=None) == []
    found = problems(bank_copy, assignments=frozenset({"pipeline"}))
    assert found == [
        "coroutines/coroutines-code.yaml:10: assignment: no assignment "
        "'gather-all' (known: pipeline)"
    ]


def test_generators_that_hang_fail_or_cheat_are_reported_without_stopping_the_load(
    bank_copy: Path,
) -> None:
    (bank_copy / "generators.py").write_text(
        "import random\n"
        "def backoff(rng):\n    return {'d': random.random(), 'r': 1, 'wait': 1}\n"
        "def hang(rng):\n    while True:\n        pass\n"
    )
    write(
        bank_copy,
        "coroutines/hang.yaml",
        GOOD.replace("extra-q", "hang-q").replace(
            "    answer: true", "    answer: true\n    generator: hang"
        ),
    )
    found = problems(bank_copy)
    assert any(
        p.startswith("coroutines/coroutines-backoff.yaml:6: generator: not deterministic")
        for p in found
    ), found
    assert "coroutines/hang.yaml:9: generator: hang() did not finish 20 seeds in 2.0 s" in found


def test_a_generator_module_that_never_finishes_importing_is_stopped(bank_copy: Path) -> None:
    (bank_copy / "generators.py").write_text("while True:\n    pass\n")
    [problem] = problems(bank_copy)
    assert (
        problem == "coroutines/coroutines-backoff.yaml:6: generator: importing "
        "generators.py did not finish in time"
    )


def test_loading_a_bank_does_not_run_its_code_in_this_process(bank_copy: Path) -> None:
    (bank_copy / "generators.py").write_text(
        "import os\ndef backoff(rng):\n    return {'d': os.getpid(), 'r': 1, 'wait': 1}\n"
    )
    bank = load_bank(bank_copy)
    pids = {values["d"] for values in bank.generated["coroutines-backoff"]}
    assert len(pids) == 1
    assert os.getpid() not in pids


def test_generators_cannot_write_files_or_reach_the_network(bank_copy: Path) -> None:
    require_bwrap()
    (bank_copy / "generators.py").write_text(
        "import socket\n"
        f"def backoff(rng):\n    open({str(bank_copy / 'x')!r}, 'w')\n    return {{}}\n"
        "def net(rng):\n"
        "    socket.create_connection(('127.0.0.1', 5432), timeout=1)\n    return {}\n"
    )
    write(
        bank_copy,
        "coroutines/net.yaml",
        GOOD.replace("extra-q", "net-q").replace(
            "    answer: true", "    answer: true\n    generator: net"
        ),
    )
    found = problems(bank_copy)
    assert any("backoff(rng) failed" in p and "Read-only file system" in p for p in found), found
    assert any("net(rng) failed" in p and ("unreachable" in p or "refused" in p) for p in found), (
        found
    )
    assert not (bank_copy / "x").exists()


def test_load_bank_raises_with_every_problem(bank_copy: Path) -> None:
    (bank_copy / "bank.yaml").write_text("id: Not A Slug\nversion: one\n")
    with pytest.raises(BankInvalid) as raised:
        load_bank(bank_copy)
    fields = {p.field for p in raised.value.problems}
    assert {"id", "version", "title", "languages"} <= fields


def test_a_folder_without_manifest_says_so(tmp_path: Path) -> None:
    [problem] = problems(tmp_path)
    assert "no bank.yaml" in problem


def test_a_generator_that_prints_still_loads(bank_copy: Path) -> None:
    (bank_copy / "generators.py").write_text(
        "print('importing')\n"
        "def backoff(rng):\n    print('hello')\n"
        "    d = rng.choice([1, 2])\n    return {'d': d, 'r': 1, 'wait': d}\n"
    )
    bank = load_bank(bank_copy)
    assert {v["d"] for v in bank.generated["coroutines-backoff"]} == {1, 2}


def test_an_exact_answer_nobody_can_type_needs_a_tolerance(bank_copy: Path) -> None:
    write(
        bank_copy,
        "loops/third.yaml",
        """
        id: third-q
        type: numeric
        topic: loops
        difficulty: 3
        source: ["Event loops"]
        params:
          n: {choice: [3]}
        text: {zh-CN: "1/{{ n }}?", en: "1/{{ n }}?"}
        explanation: {zh-CN: 因为。, en: Because.}
        answer: "1 / n"
    """,
    )
    [problem] = problems(bank_copy)
    assert problem.startswith("loops/third.yaml:10: answer: the exact answer 0.3333333333333333")
    assert problem.endswith("cannot be typed: round it or give a tolerance (with n=3)")


def test_a_loaded_bank_survives_a_json_round_trip(bank_copy: Path) -> None:
    from questions import Bank

    bank = load_bank(bank_copy)
    assert Bank.model_validate_json(bank.model_dump_json()) == bank


def test_nothing_outside_the_bank_folder_is_read(bank_copy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(GOOD)
    (bank_copy / "loops/link.yaml").symlink_to(secret)
    manifest = bank_copy / "bank.yaml"
    manifest.write_text(manifest.read_text().replace("notes: notes.md", "notes: ../secret.yaml"))
    found = problems(bank_copy)
    assert "bank.yaml:5: notes: the notes file must be inside the bank folder" in found
    assert "loops/link.yaml: a link to a file outside the bank folder" in found


def test_schema_errors_speak_of_the_file_not_of_pydantic_unions(bank_copy: Path) -> None:
    write(
        bank_copy,
        "loops/unions.yaml",
        """
        id: unions-q
        type: numeric
        topic: loops
        difficulty: 3
        source: ["Event loops"]
        params:
          n: {range: [1, 2, 3]}
          k: {choice: 5}
        text: {zh-CN: "{{ n }}", en: "{{ n }}"}
        explanation: {zh-CN: 因为。, en: Because.}
        answer: [n]
    """,
    )
    found = problems(bank_copy)
    assert found == [
        "loops/unions.yaml:7: params.n.range: "
        "Tuple should have at most 2 items after validation, not 3",
        "loops/unions.yaml:8: params.k.choice: Input should be a valid tuple",
        "loops/unions.yaml:11: answer: expected a number or text (an expression)",
    ]
