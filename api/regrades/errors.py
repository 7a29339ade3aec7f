"""The problems of regrading, each with a stable `type`."""

from __future__ import annotations

from api.errors import Conflict, NotFound
from api.i18n import Text

__all__ = ["NoSuchRegrade", "StillGrading"]


def NoSuchRegrade() -> NotFound:
    """404: no regrade with this id that the caller may see."""
    return NotFound(Text(en="No such regrade.", zh="没有这次重评。"))


class StillGrading(Conflict):
    kind = "still-grading"
    title = Text(en="Still being graded", zh="仍在评测中")
    default_detail = Text(
        en="This submission has not been graded yet; it will be graded with the current "
        "checks. Regrade it once it has a result.",
        zh="这次提交尚未评测完毕，将按当前的检查评测。请在有结果后再重评。",
    )
