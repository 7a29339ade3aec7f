"""Every table of the service, imported in one place.

Alembic's env.py imports this module so autogenerate sees all metadata; a new feature's
`models.py` adds its import here.
"""

from __future__ import annotations

from sqlmodel import SQLModel

from api.attempts.models import Attempt, AttemptItem
from api.auth.models import ApiToken, LoginAttempt
from api.banks.models import Bank, BankVersion
from api.core.db import NAMING_CONVENTION
from api.courses.models import Course, CourseMember
from api.grading.models import GradingJob
from api.overrides.models import ScoreAudit
from api.quizzes.models import Quiz, QuizItem
from api.regrades.models import Regrade
from api.submissions.models import Submission
from api.users.models import User

__all__ = [
    "NAMING_CONVENTION",
    "ApiToken",
    "Attempt",
    "AttemptItem",
    "Bank",
    "BankVersion",
    "Course",
    "CourseMember",
    "GradingJob",
    "LoginAttempt",
    "Quiz",
    "QuizItem",
    "Regrade",
    "ScoreAudit",
    "Submission",
    "User",
    "metadata",
]

metadata = SQLModel.metadata
