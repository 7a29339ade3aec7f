"""Right and wrong answers to an attempt's items, computed from the server's own variants."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from api.attempts.models import AttemptItem
from api.banks.store import parsed_bank, rendered_variant
from questions import Variant


def variant_of(
    session: Session, attempt_id: int, position: int, language: str | None = None
) -> Variant:
    item = session.exec(
        select(AttemptItem).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == position
        )
    ).one()
    return rendered_variant(
        item.bank_version_id,
        parsed_bank(session, item.bank_version_id),
        item.question_id,
        item.seed,
        language,
        shuffle=True,
    )


def right_answer(variant: Variant) -> Any:
    key = variant.key
    match key.type:
        case "single_choice":
            return next(iter(key.correct))
        case "multiple_choice":
            return sorted(key.correct)
        case "true_false":
            return key.answer
        case "fill_in":
            return {b.id: (b.accept[0] if b.accept else "") for b in key.blanks}
        case "numeric":
            return key.answer
        case "matching":
            return dict(key.pairs)
        case "ordering":
            return list(key.order)
        case "code":
            return "async def main():\n    pass\n"
    raise AssertionError(key.type)


def wrong_answer(variant: Variant) -> Any:
    key = variant.key
    match key.type:
        case "single_choice":
            return next(c.id for c in variant.student.options if c.id not in key.correct)
        case "true_false":
            return not key.answer
        case "numeric":
            return key.answer * 3 + 1000
    raise AssertionError(key.type)
