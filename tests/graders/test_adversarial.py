"""The adversarial corpus and the bad-submission list: every file gets a result (never a
crash), scores what its header says (zero, or failing the check it tried to fake; probes that
find nothing get full marks), leaves no process behind, and the next submission on the same
worker is graded right.

Each corpus file starts with `# assignment: ID` and `# expect: zero | full | fails a, b |
rejected REASON | error REASON`. Files that are not valid Python end in .txt (linters skip them).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from graders import Catalogue, Grader, Result
from graders.catalogue import load_messages
from graders.sandbox.worker import Worker

CORPUS = Path(__file__).parent / "corpus"
CATALOGUE = Catalogue.load()
_HEADER = re.compile(r"^# (assignment|expect): (.+)$", re.MULTILINE)


def _header(path: Path) -> tuple[str, str]:
    fields = dict(_HEADER.findall(path.read_text(encoding="utf-8")))
    return fields["assignment"], fields["expect"]


def leftovers(worker: Worker, timeout: float = 5.0) -> set[int]:
    """Processes the zygote's children left behind, once the last child had time to die (the
    kernel tears a PID namespace down asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        pids = worker.session_processes()
        if not pids or time.monotonic() > deadline:
            return pids
        time.sleep(0.01)


def describe(pids: set[int]) -> str:
    """What a leftover process is, for the failure message."""
    lines = []
    for pid in sorted(pids):
        try:
            with open(f"/proc/{pid}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ")[:80].decode(errors="replace")
        except OSError:
            continue
        lines.append(f"{pid} {fields['State'].strip()} NSpid={fields['NSpid'].split()} {command}")
    return "\n".join(lines)


def assert_expected(result: Result, expect: str) -> None:
    kind, _, rest = expect.partition(" ")
    failed = {t.name for t in result.tests if t.status == "failed"}
    if kind == "zero":
        assert result.status in ("graded", "error"), result.output
        assert result.score == 0, {t.name: t.output for t in result.tests}
    elif kind == "full":
        assert result.status == "graded", result.output
        assert result.score == result.max_score, {t.name: t.output for t in result.tests}
    elif kind == "fails":
        assert result.status == "graded", result.output
        assert failed == {c.strip() for c in rest.split(",")}, {
            t.name: t.output for t in result.tests
        }
    elif kind in ("rejected", "error"):
        assert result.status == kind, result.output
        assert result.score == 0
        assert all(t.reason == "not-run" for t in result.tests)
        messages = CATALOGUE_MESSAGES[rest]
        assert any(
            result.outputs[lang].startswith(m.split("{")[0]) for lang, m in messages.items()
        ), (result.output, rest)
    else:  # pragma: no cover - a malformed header
        raise AssertionError(f"unknown expectation {expect!r}")
    assert result.gradable


CATALOGUE_MESSAGES = load_messages()


@pytest.mark.sandbox
@pytest.mark.parametrize(
    "path", sorted([*CORPUS.glob("*.py"), *CORPUS.glob("*.txt")]), ids=lambda p: p.stem
)
def test_corpus_file_gets_its_result_leaves_nothing_and_the_next_grades_right(
    grader: Grader, worker: Worker, path: Path
) -> None:
    assignment, expect = _header(path)
    left = leftovers(worker)
    assert left == set(), describe(left)
    zygote = worker.zygote_pid
    result = grader.grade(assignment, path.read_bytes(), seed=5)
    assert_expected(result, expect)
    assert worker.alive
    assert worker.zygote_pid == zygote  # the same warm worker, never restarted
    left = leftovers(worker)
    assert left == set(), "processes left behind:\n" + describe(left)
    reference = CATALOGUE[assignment].reference.read_bytes()
    after = grader.grade(assignment, reference, seed=5)
    assert after.score == after.max_score, after.output


@pytest.mark.sandbox
def test_nothing_planted_by_one_submission_is_seen_by_the_next(grader: Grader) -> None:
    planted = grader.grade("gather-all", (CORPUS / "plant.py").read_bytes())
    assert planted.score == planted.max_score
    probe = grader.grade("gather-all", (CORPUS / "isolation_probe.py").read_bytes())
    assert probe.score == probe.max_score, probe.output + str([t.output for t in probe.tests])


@pytest.mark.sandbox
def test_output_is_capped_and_says_so(grader: Grader) -> None:
    result = grader.grade("gather-all", (CORPUS / "output_bomb.py").read_bytes())
    assert "spam spam" in result.output
    assert "output truncated" in result.output
    assert len(result.output) < 20_000


@pytest.mark.sandbox
def test_forged_stdout_is_shown_but_never_counts(grader: Grader) -> None:
    result = grader.grade("gather-all", (CORPUS / "print_fake_result.py").read_bytes())
    assert '"score": 12' in result.output  # feedback only
    assert result.score == 12 - 4  # the forged line changed nothing: `concurrent` failed


def test_a_file_too_large_is_rejected_before_anything_runs(grader: Grader) -> None:
    source = b"async def fetch_all(urls, fetch):\n    return []\n" + b"#" * (300 * 1024)
    result = grader.grade("gather-all", source)
    assert result.status == "rejected"
    assert "307" in result.output or "limited" in result.output


def test_non_utf8_source_is_rejected_with_its_line(grader: Grader) -> None:
    source = b"async def fetch_all(urls, fetch):\n    return ['\xff\xfe']\n"
    result = grader.grade("gather-all", source)
    assert result.status == "rejected"
    assert "line 2" in result.output


@pytest.mark.sandbox
def test_a_submission_that_keeps_timing_out_is_stopped_after_two_deadlines(grader: Grader) -> None:
    started = time.monotonic()
    result = grader.grade("gather-all", (CORPUS / "function_infinite_loop.py").read_bytes())
    assert time.monotonic() - started < 10
    reasons = [t.reason for t in result.tests]
    assert reasons.count("timeout") == 2
    assert set(reasons) == {"timeout", "skipped"}


@pytest.mark.sandbox
def test_feedback_shows_terminal_controls_escaped_never_raw(grader: Grader) -> None:
    result = grader.grade("gather-all", (CORPUS / "terminal_escapes.py").read_bytes())
    texts = [*result.outputs.values()] + [text for t in result.tests for text in t.outputs.values()]
    assert "\\x1b]52;c;" in result.output  # shown, escaped
    assert any("\\u202e" in text for text in texts)
    for text in texts:
        assert not any(ch in text for ch in "\x1b\x07\x9b\u202e\u202c"), text


SLEEPS_EVERY_CALL = b"""
import asyncio, time

async def fetch_all(urls, fetch):
    time.sleep(0.6)
    return list(await asyncio.gather(*map(fetch, urls)))
"""


@pytest.mark.sandbox
def test_a_submission_slow_in_every_scenario_is_cut_off_after_three(grader: Grader) -> None:
    # Without a timeout anywhere, a submission that blocks for most of a second in every step
    # once held a worker for 90 s (bank-transfer runs 170 scenarios).
    started = time.monotonic()
    result = grader.grade("gather-all", SLEEPS_EVERY_CALL)
    assert time.monotonic() - started < 6
    assert result.gradable
    reasons = {t.name: t.reason for t in result.tests}
    assert reasons["errors"] == "skipped-slow"
    assert reasons["no-blocking"] == "skipped-slow"
    assert "half a second" in result.tests[-1].output


@pytest.mark.sandbox
def test_output_that_depends_on_addresses_is_the_same_on_another_worker(grader: Grader) -> None:
    source = (CORPUS / "address_order.py").read_bytes()
    here = grader.grade("gather-all", source, seed=3)
    with Grader() as elsewhere:
        there = elsewhere.grade("gather-all", source, seed=3)
    assert "object at 0x" in here.output
    assert here.to_dict() == there.to_dict()
