"""A grader `Result` as stored on a submission, in every language, and what it scores.

Stored shape (`Submission.result`):
    {"outcome": "graded"|"rejected"|"error", "seed": int, "sandboxed": bool,
     "output": {"en": str, "zh-CN": str},
     "tests": [{"name", "status": "passed"|"failed", "score", "max_score",
                "visibility": "visible"|"hidden", "output": {"en", "zh-CN"}}]}

The grader's `error` (the module crashed or hung while being imported) is the student's
code's doing, like `rejected`: both become a `rejected` submission scoring 0.
"""

from __future__ import annotations

from typing import Any

from api.submissions.models import SubmissionStatus
from graders import Result

__all__ = ["headline", "stored_result", "submission_status"]


def stored_result(result: Result) -> dict[str, Any]:
    """The JSON kept on the submission."""
    outputs = dict(result.outputs) or {result.lang: result.output}
    return {
        "outcome": result.status,
        "seed": result.seed,
        "output": outputs,
        "tests": [
            {
                "name": test.name,
                "status": test.status,
                "score": test.score,
                "max_score": test.max_score,
                "visibility": test.visibility,
                "output": dict(test.outputs) or {result.lang: test.output},
            }
            for test in result.tests
        ],
    }


def submission_status(result: Result) -> SubmissionStatus:
    return SubmissionStatus.graded if result.status == "graded" else SubmissionStatus.rejected


def headline(stored: dict[str, Any]) -> dict[str, str]:
    """The first line of the output in each language (the verdict, not what was printed)."""
    output: dict[str, str] = stored.get("output") or {}
    return {lang: text.split("\n", 1)[0] for lang, text in output.items()}
