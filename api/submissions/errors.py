"""The problems of submitting code and of re-queueing it, each with a stable `type`."""

from __future__ import annotations

from api.errors import Conflict, NotFound, PayloadTooLarge, TooManyRequests, ValidationFailed
from api.i18n import Text
from api.submissions.models import MAX_SOURCE_BYTES

__all__ = [
    "NoSuchSubmission",
    "NotACodeQuestion",
    "NotRequeueable",
    "SubmissionRateLimited",
    "SubmissionTooLarge",
]


def NoSuchSubmission() -> NotFound:
    """404: no submission with this id that the caller may see."""
    return NotFound(Text(en="No such submission.", zh="没有这次提交。"))


class SubmissionTooLarge(PayloadTooLarge):
    kind = "submission-too-large"
    title = Text(en="Submission too large", zh="提交的代码过大")

    def __init__(self, size: int) -> None:
        limit = MAX_SOURCE_BYTES // 1024
        super().__init__(
            Text(
                en="The source is {size} bytes; a submission may be at most {limit} KiB. "
                "Nothing was submitted.",
                zh="源代码共 {size} 字节；一次提交最多 {limit} KiB。未提交任何内容。",
            ).format(size=size, limit=limit)
        )


class SubmissionRateLimited(TooManyRequests):
    kind = "submission-rate-limited"
    title = Text(en="Too many submissions", zh="提交过于频繁")

    def __init__(self, per_minute: int, *, retry_after: int) -> None:
        super().__init__(
            Text(
                en="You may submit code {n} times a minute. Try again in {s} s; your answer "
                "is saved.",
                zh="每分钟最多提交代码 {n} 次。请 {s} 秒后再试；你的答案已保存。",
            ).format(n=per_minute, s=retry_after),
            retry_after=retry_after,
        )


class NotACodeQuestion(ValidationFailed):
    kind = "not-a-code-question"
    title = Text(en="Not a code question", zh="不是编程题")
    default_detail = Text(
        en="Only answers to code questions are submitted for grading; other answers are "
        "saved with PUT .../answer.",
        zh="只有编程题的答案需要提交评测；其他答案请用 PUT .../answer 保存。",
    )


class NotRequeueable(Conflict):
    kind = "not-requeueable"
    title = Text(en="Already graded", zh="已评测")
    default_detail = Text(
        en="This submission has a result; to grade it again, start a regrade "
        "(POST /api/v1/regrades).",
        zh="这次提交已有结果；如需重新评测，请发起重评（POST /api/v1/regrades）。",
    )
