"""Password hashing with argon2id.

Parameters follow OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane): about 20 ms
per hash, slow enough to hurt offline guessing, fast enough that importing a class of students
(hashed on every core, see `hash_passwords`) takes seconds. Hashes carry their parameters, so
raising them later keeps old hashes valid and `needs_rehash` upgrades them at the next login.

Usage:
    stored = hash_password("correct horse")
    verify_password(stored, "correct horse")  # True
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "generate_password",
    "hash_password",
    "hash_passwords",
    "needs_rehash",
    "verify_password",
    "verify_unknown_user",
]

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified when the account does not exist, so a wrong email costs as long as a wrong password
# and response times do not reveal which emails are registered.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash of `password`, parameters and salt included."""
    return _hasher.hash(password)


def hash_passwords(passwords: Iterable[str]) -> list[str]:
    """Hashes of many passwords, computed on every core (argon2 releases the GIL).

    Usage:
        hashes = hash_passwords(row.password for row in rows)
    """
    items = list(passwords)
    if len(items) < 2:
        return [hash_password(p) for p in items]
    workers = min(len(items), os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2") as pool:
        return list(pool.map(hash_password, items))


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether `password` matches `stored_hash`; a corrupt hash never matches."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def verify_unknown_user(password: str) -> None:
    """Spend the time of one verification (see `_DUMMY_HASH`)."""
    verify_password(_DUMMY_HASH, password)


def needs_rehash(stored_hash: str) -> bool:
    """Whether `stored_hash` was made with weaker parameters than today's."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def generate_password() -> str:
    """A random initial password: 12 URL-safe characters (72 bits)."""
    return secrets.token_urlsafe(9)
