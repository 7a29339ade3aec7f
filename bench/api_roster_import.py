"""Roster import: students created per second, with password hashing on every core versus the
one-at-a-time baseline, measured in the same run.

    .venv/bin/python bench/api_roster_import.py [students]

argon2id is slow on purpose (about 20 ms a hash), so hashing dominates a class import; argon2
releases the GIL, so `hash_passwords` spreads the hashes over threads.
"""

# ruff: noqa: E402 (sys.path must be fixed before `api` is imported)
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/api_roster_import.py`, bench/ comes first on sys.path, where
# bench/api.py would shadow the `api` package: put the repository root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import os
import tempfile
import time

from sqlmodel import Session

from api.auth.passwords import hash_password, hash_passwords
from api.core import migrations
from api.core.db import create_db_engine, transaction
from api.users import service
from api.users.roster import parse_roster


def main() -> None:
    students = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    passwords = [f"password-{i:05d}" for i in range(students)]

    started = time.perf_counter()
    for password in passwords:
        hash_password(password)
    sequential = time.perf_counter() - started

    started = time.perf_counter()
    hash_passwords(passwords)
    parallel = time.perf_counter() - started

    roster = "email,name,password\n" + "".join(
        f"s{i}@example.org,Student {i},{password}\n" for i, password in enumerate(passwords)
    )
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_db_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrations.upgrade(engine)
        started = time.perf_counter()
        with Session(engine) as session, transaction(session):
            created = service.import_students(session=session, rows=parse_roster(roster.encode()))
        end_to_end = time.perf_counter() - started
        engine.dispose()
    assert len(created) == students

    print(f"roster import, {students} students, {os.cpu_count()} cores")
    print(f"  baseline: hash one at a time   {students / sequential:8.1f} hashes/s")
    print(
        f"  hash_passwords (all cores)     {students / parallel:8.1f} hashes/s"
        f"   ratio {sequential / parallel:.2f}x"
    )
    print(
        f"  full import (parse, hash, insert into SQLite)  {students / end_to_end:8.1f} "
        f"students/s   ratio to baseline {sequential / end_to_end:.2f}x"
    )


if __name__ == "__main__":
    main()
