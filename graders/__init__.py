"""Sandboxed, tamper-proof, virtual-time grading of students' async Python code.

Public surface:
    grade_submission(assignment_id, source, *, seed=0, lang="en") -> Result
    Grader             a long-lived warm grader (one per process): .grade(...), .close()
    Catalogue          the assignments: ids, titles, statements (zh-CN, en), checks
    Result, TestResult the Gradescope-shaped outcome (status graded|rejected|error, gradable)
    SandboxUnavailable bubblewrap missing and unsafe grading not allowed
    UnknownAssignment  no assignment with that id

See graders/README.md for the design and for adding an assignment.
"""

from .catalogue import Assignment, Catalogue, CatalogueError, Check, UnknownAssignment
from .grader import UNSAFE_ENV, Grader, grade_submission
from .result import Result, TestResult
from .sandbox.worker import SandboxUnavailable

__all__ = [
    "UNSAFE_ENV",
    "Assignment",
    "Catalogue",
    "CatalogueError",
    "Check",
    "Grader",
    "Result",
    "SandboxUnavailable",
    "TestResult",
    "UnknownAssignment",
    "grade_submission",
]
