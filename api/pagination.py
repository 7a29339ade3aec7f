"""Offset pagination shared by every list endpoint: `?offset=&limit=` in, `{data, count}` out.

Usage:
    @router.get("/quizzes")
    def list_quizzes(session: SessionDep, page: PageDep) -> QuizzesPublic:
        quizzes, count = paginate(session, select(Quiz).order_by(Quiz.id), page)
        return QuizzesPublic(data=quizzes, count=count)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from sqlalchemy import func
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Page", "PageDep", "paginate"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    offset: int = 0
    limit: int = DEFAULT_LIMIT


def _page(
    offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Items to return (at most {MAX_LIMIT}).")
    ] = DEFAULT_LIMIT,
) -> Page:
    return Page(offset=offset, limit=limit)


PageDep = Annotated[Page, Depends(_page)]


def paginate(session: Session, statement: SelectOfScalar[T], page: Page) -> tuple[Sequence[T], int]:
    """One page of `statement`'s rows and the total number of rows it selects.

    `statement` should be ordered, or pages may overlap.
    """
    total_query: Any = select(func.count()).select_from(statement.order_by(None).subquery())
    count = session.exec(total_query).one()
    rows = session.exec(statement.offset(page.offset).limit(page.limit)).all()
    return rows, int(count)
