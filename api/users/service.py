"""Accounts: creating users singly and from a roster, listing, updating, changing passwords."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.auth.passwords import generate_password, hash_password, hash_passwords, verify_password
from api.errors import Conflict, EmailTaken, FieldError, InvalidCsv, NotFound, ValidationFailed
from api.i18n import Text
from api.pagination import Page, paginate
from api.users.models import PasswordChange, Role, User, UserCreate, UserUpdate, normalize_email
from api.users.roster import RosterRow, roster_error

__all__ = [
    "change_password",
    "create_user",
    "get_user",
    "get_user_by_email",
    "import_students",
    "list_users",
    "update_user",
]


def get_user_by_email(*, session: Session, email: str) -> User | None:
    """The account registered with `email` (case-insensitive), if any."""
    return session.exec(select(User).where(User.email == normalize_email(email))).first()


def get_user(*, session: Session, user_id: int) -> User:
    """The account with `user_id`, or `NotFound`."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(Text(en="No such user.", zh="没有这个用户。"))
    return user


def _flush_new_users(session: Session, users: list[User]) -> None:
    session.add_all(users)
    try:
        session.flush()
    except IntegrityError:  # a concurrent request registered the same email first
        raise EmailTaken() from None


def create_user(*, session: Session, user_in: UserCreate) -> tuple[User, str | None]:
    """A new account, and its password when quizloop generated one."""
    if get_user_by_email(session=session, email=user_in.email) is not None:
        raise EmailTaken(
            Text(en="{email} already has an account.", zh="{email} 已有账号。").format(
                email=user_in.email
            )
        )
    generated = generate_password() if user_in.password is None else None
    user = User(
        email=normalize_email(user_in.email),
        full_name=user_in.full_name,
        role=user_in.role,
        hashed_password=hash_password(user_in.password or generated or ""),
    )
    _flush_new_users(session, [user])
    return user, generated


def import_students(
    *, session: Session, rows: Sequence[RosterRow]
) -> list[tuple[User, str | None]]:
    """Student accounts for every roster row, all or none: `InvalidCsv` if any email exists."""
    emails = [row.email for row in rows]
    taken: set[str] = set()
    for start in range(0, len(emails), 500):  # bounded IN lists
        chunk = emails[start : start + 500]
        taken.update(session.exec(select(User.email).where(col(User.email).in_(chunk))).all())
    if taken:
        errors = [
            roster_error(row.line, "email", f"{row.email} already has an account", "email_taken")
            for row in rows
            if row.email in taken
        ]
        raise InvalidCsv(errors=errors)
    passwords = [row.password or generate_password() for row in rows]
    hashes = hash_passwords(passwords)
    users = [
        User(email=row.email, full_name=row.full_name, role=Role.student, hashed_password=hashed)
        for row, hashed in zip(rows, hashes, strict=True)
    ]
    _flush_new_users(session, users)
    return [
        (user, None if row.password else password)
        for user, row, password in zip(users, rows, passwords, strict=True)
    ]


def list_users(
    *, session: Session, page: Page, role: Role | None = None
) -> tuple[Sequence[User], int]:
    """Accounts ordered by email, optionally of one role."""
    statement = select(User).order_by(col(User.email))
    if role is not None:
        statement = statement.where(User.role == role)
    return paginate(session, statement, page)


def update_user(*, session: Session, user: User, user_in: UserUpdate, acting: User) -> User:
    """Apply an instructor's change to `user`. Nobody can disable their own account."""
    if user.id == acting.id and user_in.is_active is False:
        raise Conflict(Text(en="You cannot disable your own account.", zh="不能停用你自己的账号。"))
    user.sqlmodel_update(user_in.model_dump(exclude_unset=True, exclude_none=True))
    session.add(user)
    session.flush()
    return user


def change_password(*, session: Session, user: User, change: PasswordChange) -> None:
    """Set a new password after checking the current one."""
    if not verify_password(user.hashed_password, change.current_password):
        raise ValidationFailed(
            errors=[
                FieldError(
                    loc=["body", "current_password"],
                    msg="this is not your current password",
                    type="wrong_password",
                )
            ]
        )
    user.hashed_password = hash_password(change.new_password)
    session.add(user)
    session.flush()
