"""Class rosters: the CSV file instructors upload to create student accounts in bulk.

The file is UTF-8 (a byte-order mark, as spreadsheets write it, is fine) with a header row.
Columns, in any order and case: `email` (required), `full_name` or `name`, `password`
(optional; empty means "generate one"). Blank lines are skipped. Every problem is reported
with its line number, and a file with any problem imports nothing.

Usage:
    rows = parse_roster(content)   # list[RosterRow], or raises InvalidCsv
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from pydantic import EmailStr, TypeAdapter, ValidationError

from api.errors import FieldError, InvalidCsv
from api.users.models import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, normalize_email

__all__ = ["MAX_ROSTER_ROWS", "RosterRow", "parse_roster", "roster_error"]

MAX_ROSTER_ROWS = 2000
MAX_NAME_LENGTH = 200
COLUMN_ALIASES = {
    "email": "email",
    "full_name": "full_name",
    "name": "full_name",
    "password": "password",
}
_email = TypeAdapter(EmailStr)


@dataclass(frozen=True, slots=True)
class RosterRow:
    line: int
    email: str
    full_name: str
    password: str | None


def roster_error(line: int, column: str, msg: str, type_: str) -> FieldError:
    """One located problem in the uploaded file."""
    return FieldError(loc=["body", "file", line, column], msg=msg, type=type_, line=line)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise InvalidCsv(
            errors=[roster_error(line, "*", "the file is not UTF-8 text", "encoding")]
        ) from None


def _columns(header: list[str]) -> tuple[dict[str, int], list[FieldError]]:
    columns: dict[str, int] = {}
    errors: list[FieldError] = []
    for index, raw in enumerate(header):
        name = COLUMN_ALIASES.get(raw.strip().lower())
        if name is None:
            expected = "email, full_name (or name), password"
            errors.append(roster_error(1, raw, f"unknown column; expected {expected}", "column"))
        elif name in columns:
            errors.append(roster_error(1, raw, "this column appears twice", "column"))
        else:
            columns[name] = index
    if "email" not in columns:
        errors.append(roster_error(1, "email", "the header has no email column", "column"))
    return columns, errors


def _row(
    line: int, cells: list[str], columns: dict[str, int]
) -> tuple[RosterRow | None, list[FieldError]]:
    errors: list[FieldError] = []
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        errors.append(
            roster_error(line, "*", f"{len(cells)} cells, the header has {len(columns)}", "cells")
        )

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    email = cell("email")
    try:
        email = normalize_email(_email.validate_python(email))
    except ValidationError:
        errors.append(roster_error(line, "email", f"{email!r} is not an email address", "email"))
    full_name = cell("full_name")
    if len(full_name) > MAX_NAME_LENGTH:
        errors.append(
            roster_error(
                line, "full_name", f"longer than {MAX_NAME_LENGTH} characters", "string_too_long"
            )
        )
    password = cell("password") or None
    if password is not None and not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        errors.append(
            roster_error(
                line,
                "password",
                f"must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters (or empty)",
                "password",
            )
        )
    if errors:
        return None, errors
    return RosterRow(line=line, email=email, full_name=full_name, password=password), []


def parse_roster(content: bytes) -> list[RosterRow]:
    """The rows of a roster file; `InvalidCsv` listing every bad line otherwise."""
    reader = csv.reader(io.StringIO(_decode(content), newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidCsv(errors=[roster_error(1, "*", "the file is empty", "empty")])
        columns, errors = _columns(header)
        if errors:
            raise InvalidCsv(errors=errors)
        rows: list[RosterRow] = []
        first_line: dict[str, int] = {}
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) + len(errors) >= MAX_ROSTER_ROWS:
                errors.append(
                    roster_error(
                        line,
                        "*",
                        f"more than {MAX_ROSTER_ROWS} students; split the file",
                        "too_many_rows",
                    )
                )
                break
            row, row_errors = _row(line, cells, columns)
            errors.extend(row_errors)
            if row is None:
                continue
            if row.email in first_line:
                errors.append(
                    roster_error(
                        line,
                        "email",
                        f"{row.email} is already on line {first_line[row.email]}",
                        "duplicate",
                    )
                )
                continue
            first_line[row.email] = line
            rows.append(row)
    except csv.Error as exc:
        raise InvalidCsv(
            errors=[roster_error(reader.line_num, "*", f"not valid CSV: {exc}", "csv")]
        ) from None
    if errors:
        raise InvalidCsv(errors=errors)
    if not rows:
        raise InvalidCsv(errors=[roster_error(2, "*", "the file lists no students", "empty")])
    return rows
