"""Every table of the service, imported in one place.

Alembic's env.py imports this module so autogenerate sees all metadata; a new feature's
`models.py` adds its import here.
"""

from __future__ import annotations

from sqlmodel import SQLModel

from api.auth.models import ApiToken, LoginAttempt
from api.core.db import NAMING_CONVENTION
from api.users.models import User

__all__ = ["NAMING_CONVENTION", "ApiToken", "LoginAttempt", "User", "metadata"]

metadata = SQLModel.metadata
