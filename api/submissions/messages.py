"""What a submission's status means to a student, in both languages."""

from __future__ import annotations

from api.i18n import Text
from api.submissions.models import SubmissionStatus

__all__ = ["STATUS_MESSAGES", "as_dict"]

STATUS_MESSAGES: dict[SubmissionStatus, Text] = {
    SubmissionStatus.queued: Text(
        en="Awaiting grading: your code is queued for a grader.",
        zh="等待评测：你的代码正在排队等待评测。",
    ),
    SubmissionStatus.running: Text(
        en="Awaiting grading: a grader is running your code's checks.",
        zh="等待评测：评测器正在运行你的代码的检查。",
    ),
    SubmissionStatus.not_gradable: Text(
        en="We could not grade this submission. The fault is ours, not yours, and it does not "
        "count against you: your instructor can re-queue it.",
        zh="我们未能评测这次提交。这是我们的问题，不是你的，不会影响你的成绩；教师可以重新排队评测。",
    ),
}


def as_dict(text: Text) -> dict[str, str]:
    """The form results store messages in (`{"en": ..., "zh-CN": ...}`)."""
    return {"en": text.en, "zh-CN": text.zh}
