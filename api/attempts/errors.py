"""The problems a student meets while taking a quiz, each with a stable `type`."""

from __future__ import annotations

from datetime import datetime

from api.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from api.i18n import Text

__all__ = [
    "AnswerLocked",
    "AttemptClosed",
    "AttemptsExhausted",
    "DeadlinePassed",
    "FeedbackNotPerItem",
    "InvalidAnswer",
    "NoSuchAttempt",
    "NoSuchItem",
    "NotEnrolled",
    "NotYourAttempt",
    "QuizClosed",
    "QuizNotOpen",
    "StaleAnswer",
]


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def NoSuchAttempt() -> NotFound:
    """404: no attempt with this id that the caller may see."""
    return NotFound(Text(en="No such attempt.", zh="没有这次作答。"))


def NoSuchItem() -> NotFound:
    """404: the attempt has no question at this position."""
    return NotFound(
        Text(en="The attempt has no question at this position.", zh="该作答没有这个位置的题目。")
    )


class NotEnrolled(Forbidden):
    kind = "not-enrolled"
    default_detail = Text(
        en="Only students enrolled in the course take its quizzes.",
        zh="只有选修本课程的学生可以参加测验。",
    )


class NotYourAttempt(Forbidden):
    kind = "not-your-attempt"
    default_detail = Text(
        en="Only the student taking this attempt may answer or submit it.",
        zh="只有作答的学生本人可以保存答案或提交。",
    )


class QuizNotOpen(Forbidden):
    kind = "quiz-not-open"
    title = Text(en="Quiz not open yet", zh="测验尚未开放")

    def __init__(self, opens_at: datetime) -> None:
        super().__init__(
            Text(en="This quiz opens at {at}.", zh="本测验将于 {at} 开放。").format(
                at=_when(opens_at)
            )
        )
        self.opens_at = opens_at


class QuizClosed(Forbidden):
    kind = "quiz-closed"
    title = Text(en="Quiz closed", zh="测验已关闭")

    def __init__(self, closes_at: datetime) -> None:
        super().__init__(
            Text(en="This quiz closed at {at}.", zh="本测验已于 {at} 关闭。").format(
                at=_when(closes_at)
            )
        )


class AttemptsExhausted(Conflict):
    kind = "attempts-exhausted"
    title = Text(en="No attempts left", zh="作答次数已用完")

    def __init__(self, allowed: int) -> None:
        super().__init__(
            Text(
                en="You have used all {n} attempt(s) this quiz allows.",
                zh="你已用完本测验允许的全部 {n} 次作答。",
            ).format(n=allowed)
        )


class DeadlinePassed(Conflict):
    """Raised after the attempt was closed and scored: the caller commits before answering."""

    kind = "deadline-passed"
    title = Text(en="Time is up", zh="时间已到")

    def __init__(self, deadline: datetime) -> None:
        super().__init__(
            Text(
                en="The deadline of this attempt was {at}; it has been submitted and scored "
                "with the answers saved before then.",
                zh="本次作答的截止时间是 {at}；已按截止前保存的答案自动提交并评分。",
            ).format(at=_when(deadline))
        )
        self.deadline = deadline


class AttemptClosed(Conflict):
    kind = "attempt-closed"
    title = Text(en="Attempt already submitted", zh="作答已提交")
    default_detail = Text(
        en="This attempt has been submitted; answers can no longer change.",
        zh="本次作答已提交，答案不能再修改。",
    )


class AnswerLocked(Conflict):
    kind = "answer-locked"
    title = Text(en="Answer locked", zh="答案已锁定")
    default_detail = Text(
        en="This question was checked; its answer can no longer change.",
        zh="这道题已核对，答案不能再修改。",
    )


class StaleAnswer(Conflict):
    kind = "stale-answer"
    title = Text(en="A newer answer is saved", zh="已有更新的答案")

    def __init__(self, saved_revision: int) -> None:
        super().__init__(
            Text(
                en="The server already has revision {rev} of this answer (from another tab or "
                "device, or a retried request with a different answer). Reload the attempt, "
                "then save with a revision above {rev}.",
                zh="服务器已保存此答案的第 {rev} 版（来自其他标签页或设备，或内容不同的重试请求）。"
                "请重新加载作答，再以大于 {rev} 的版本号保存。",
            ).format(rev=saved_revision)
        )
        self.saved_revision = saved_revision


class FeedbackNotPerItem(Conflict):
    kind = "feedback-not-per-item"
    title = Text(en="Questions are not checked one by one", zh="本测验不支持逐题核对")
    default_detail = Text(
        en="This quiz gives feedback after submitting (or after it closes), not per question.",
        zh="本测验在提交后（或关闭后）给出反馈，而不是逐题反馈。",
    )


class InvalidAnswer(ValidationFailed):
    kind = "invalid-answer"
    title = Text(en="Invalid answer", zh="答案格式无效")

    def __init__(self, message: dict[str, str], lang: str) -> None:
        text = Text(en=message.get("en", ""), zh=message.get("zh-CN", message.get("en", "")))
        super().__init__(
            Text(
                en="The answer does not fit the question: {m} Nothing was saved; the previous "
                "answer is kept.",
                zh="答案与题目不符：{m} 未保存，之前的答案保持不变。",
            ).format(m=text["zh-CN" if lang == "zh-CN" else "en"]),
            errors=[
                FieldError(
                    loc=["body", "response"],
                    msg=text["zh-CN" if lang == "zh-CN" else "en"],
                    type="invalid_answer",
                )
            ],
        )
