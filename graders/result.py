"""What grading returns: a Result in the shape of Gradescope's results.json.

`status` is "graded" (the checks ran), "rejected" (the file is not a valid submission: too
large, not UTF-8, a syntax error, the required function missing or not async) or "error" (the
submission could not be run: it crashed or hung while being imported). `gradable` is False only
when *our* infrastructure failed (sandbox, worker): such a result must never count against the
student; re-queue the job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["graded", "rejected", "error"]


@dataclass(frozen=True)
class TestResult:
    """One check's verdict."""

    __test__ = False  # not a pytest class

    name: str  # the check id
    title: str
    status: Literal["passed", "failed"]
    score: int
    max_score: int
    output: str
    visibility: Literal["visible", "hidden"]
    reason: str = ""  # machine-readable reason key of the message
    outputs: dict[str, str] = field(default_factory=dict)  # the message in every language

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "output": self.output,
            "visibility": self.visibility,
        }


@dataclass(frozen=True)
class Result:
    assignment: str
    status: Status
    score: int
    max_score: int
    output: str
    tests: tuple[TestResult, ...] = ()
    gradable: bool = True
    lang: str = "en"
    seed: int = 0
    outputs: dict[str, str] = field(default_factory=dict)

    def to_dict(self, *, file: str | None = None) -> dict[str, Any]:
        """The Gradescope-shaped JSON object (`quizloop grade --format json` prints these)."""
        data: dict[str, Any] = {}
        if file is not None:
            data["file"] = file
        data.update(
            {
                "assignment": self.assignment,
                "status": self.status,
                "score": self.score,
                "max_score": self.max_score,
                "output": self.output,
                "tests": [t.to_dict() for t in self.tests],
            }
        )
        if not self.gradable:
            data["gradable"] = False
        return data
