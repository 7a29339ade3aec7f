"""Gradebooks as CSV files a Canvas or Moodle grade import accepts.

Canvas (its gradebook importer): the header starts `Student, ID, SIS User ID, SIS Login ID,
Section`; students are matched by ID (Canvas's own, which we leave empty), SIS User ID,
SIS Login ID (we write the email: the login most institutions use), then by name. Every other
column is a grade column, matched to an assignment by its title or created as a new one, except
read-only totals such as `Final Points`. A row whose first cell is `Points Possible` gives each
column's maximum. An empty cell means "no grade".

Moodle (grade import from CSV): any header; the instructor maps `Email address` to the
`useremail` identifier and each grade column to a grade item. An empty cell is skipped.

Both read UTF-8; the file starts with a byte-order mark so spreadsheet programs show Chinese
names correctly (both importers strip it). Text cells that a spreadsheet would run as a
formula (starting with = + - @, a tab or a carriage return, or their full-width forms) are
prefixed with an apostrophe (OWASP's advice on CSV injection); numbers are written as numbers.

Usage:
    body = quiz_sheet(book, layout=SheetLayout.canvas, items=True)   # str, CSV text
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from api.gradebook.models import CourseGradebook, QuizGradebook, SheetLayout

__all__ = ["BOM", "course_sheet", "number_cell", "quiz_sheet", "text_cell"]

BOM = "\ufeff"
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
CANVAS_STUDENT = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_TOTAL = "Final Points"
MOODLE_STUDENT = ["Full name", "Email address"]
MOODLE_TOTAL = "Total"


def text_cell(value: str) -> str:
    """`value`, defused if a spreadsheet would read it as a formula."""
    return "'" + value if value and value[0] in FORMULA_STARTS else value


def number_cell(value: float | None) -> str:
    """A score as importers read it: up to 4 decimals, no exponent; empty for no score."""
    if value is None:
        return ""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _student(layout: SheetLayout, name: str, email: str) -> list[str]:
    shown = name or email
    if layout == SheetLayout.canvas:
        return [text_cell(shown), "", "", text_cell(email), ""]
    return [text_cell(shown), text_cell(email)]


def _write(header: list[str], points: list[str] | None, rows: Sequence[list[str]]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    if points is not None:
        writer.writerow(points)
    writer.writerows(rows)
    return out.getvalue()


def quiz_sheet(book: QuizGradebook, *, layout: SheetLayout, items: bool = True) -> str:
    """The quiz's gradebook: a column per item (unless `items` is false) and the quiz total,
    titled with the quiz's title so that an LMS imports it as one assignment."""
    columns = book.columns if items else []
    grade_titles = [f"{book.title} - {c.label}" for c in columns] + [book.title]
    if layout == SheetLayout.canvas:
        header = CANVAS_STUDENT + [text_cell(t) for t in grade_titles]
        points = ["Points Possible", "", "", "", ""] + [
            number_cell(v) for v in [*(c.points for c in columns), book.max_score]
        ]
    else:
        header = MOODLE_STUDENT + [text_cell(t) for t in grade_titles]
        points = None
    rows = []
    for row in book.rows:
        scores = row.scores if items else []
        rows.append(
            _student(layout, row.full_name, row.email)
            + [number_cell(s) for s in scores]
            + [number_cell(row.total)]
        )
    return _write(header, points, rows)


def course_sheet(book: CourseGradebook, *, layout: SheetLayout) -> str:
    """The course's gradebook: a column per published quiz and the sum of them all."""
    # Canvas matches a column to an assignment by its title: two quizzes may share one.
    labels = [c.label for c in book.columns]
    titles = [
        text_cell(c.label if labels.count(c.label) == 1 else f"{c.label} [quiz {c.quiz_id}]")
        for c in book.columns
    ]
    if layout == SheetLayout.canvas:
        header = [*CANVAS_STUDENT, *titles, CANVAS_TOTAL]
        points: list[str] | None = ["Points Possible", "", "", "", ""] + [
            number_cell(v) for v in [*(c.points for c in book.columns), book.max_score]
        ]
    else:
        header = [*MOODLE_STUDENT, *titles, MOODLE_TOTAL]
        points = None
    rows = [
        _student(layout, row.full_name, row.email)
        + [number_cell(s) for s in row.scores]
        + [number_cell(row.total)]
        for row in book.rows
    ]
    return _write(header, points, rows)
