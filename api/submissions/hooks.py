"""The hook api/attempts calls when it scores a code item (the attempt closing, or the item
checked on its own): the item takes its latest submission's result, after the saved answer
became a submission if it is the student's last word (saved after the latest submission,
with another source). Whatever the student did last counts: a submission made after the last
autosave is not replaced by an older draft."""

from __future__ import annotations

from sqlmodel import Session

from api.attempts.models import Attempt, AttemptItem
from api.attempts.scores import record_automatic
from api.submissions.scores import code_result, latest_submission
from api.submissions.service import create_submission, encode_source

__all__ = ["code_answer_scored"]


def code_answer_scored(*, session: Session, attempt: Attempt, item: AttemptItem) -> None:
    """Submit the saved code answer if it is new, and score the item from its submissions."""
    assert item.id is not None
    latest = latest_submission(session, item.id)
    if isinstance(item.response, str) and item.response.strip():
        source = encode_source(item.response)
        newer = latest is None or item.saved_at is None or latest.created_at < item.saved_at
        if newer and (latest is None or latest.source != source):
            latest = create_submission(
                session=session, attempt=attempt, item=item, source=source, automatic=True
            )
    result = code_result(item, latest)
    if result is not None:
        record_automatic(item, result)
