"""The service's settings: one class, read from `QUIZLOOP_*` environment variables and `.env`.

Every setting has a safe default for the embedded mode (SQLite under ./data, local grading) so
`quizloop serve` works with no configuration. An invalid value stops start-up with a
`SettingsError` whose message names the environment variable, never a traceback.

Usage:
    settings = load_settings()          # env + .env; raises SettingsError
    settings.database_url               # always set (defaults to sqlite under data_dir)
    settings.secret_key.get_secret_value()
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

__all__ = [
    "ENV_PREFIX",
    "Settings",
    "SettingsError",
    "SettingsForTests",
    "get_settings",
    "load_settings",
]

ENV_PREFIX = "QUIZLOOP_"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name)
MIN_SECRET_KEY_LENGTH = 32
# Values copied from tutorials and templates; a deployment using one has no secret at all.
PLACEHOLDER_SECRETS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "secret",
        "secret-key",
        "secretkey",
        "your-secret-key",
        "dev",
        "development",
        "test",
        "password",
        "none",
        "null",
        "xxx",
    }
)
SECRET_FIELDS = frozenset({"secret_key", "database_url", "broker_url"})
SUPPORTED_DATABASE_SCHEMES = ("sqlite", "postgresql+psycopg")
SUPPORTED_BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")

logger = logging.getLogger(__name__)


class SettingsError(Exception):
    """A setting is invalid; the message names the `QUIZLOOP_*` variable and what was expected."""


def _env_name(field: str) -> str:
    return f"{ENV_PREFIX}{field.upper()}"


class Settings(BaseSettings):
    """All of quizloop's configuration. Field `x` is set by the variable `QUIZLOOP_X`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    data_dir: Path = Field(
        default=Path("data"),
        description="Where the SQLite database, the generated secret key and uploads live.",
    )
    database_url: str = Field(
        default="",
        description="sqlite:///path or postgresql+psycopg://user:pass@host/db; "
        "empty means sqlite under data_dir.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(""),
        description="Signs access tokens. Empty means: generate once, keep in data_dir/secret_key.",
    )
    grading_backend: Literal["local", "celery"] = "local"
    broker_url: str = "redis://127.0.0.1:6379/0"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    login_window_seconds: int = Field(default=15 * 60, ge=1)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    # A classroom often shares one public address, so the per-address limit is much higher.
    login_max_failures_per_address: int = Field(default=100, ge=1)
    grading_unsafe_no_sandbox: bool = False
    # The grading queue (api/grading): workers of the local backend (None: one per core; 0:
    # this process only queues), the longest a job may run before it is not-gradable (a
    # backstop: the grader skips a submission's remaining scenarios after 20 s of real time,
    # graders/engine/run.py BUDGET), how long a silent worker keeps its job, and students'
    # submissions allowed per minute.
    grading_workers: int | None = Field(default=None, ge=0, le=64)
    grading_deadline_seconds: float = Field(default=240.0, ge=5)
    grading_lease_seconds: float = Field(default=15.0, ge=1)
    submissions_per_minute: int = Field(default=6, ge=1)

    @field_validator("data_dir", mode="after")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("database_url", mode="after")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value:
            return value
        scheme, sep, rest = value.partition("://")
        if not sep:
            raise ValueError("expected a URL such as sqlite:///data/quizloop.db")
        # Hosting platforms hand out postgres:// URLs; psycopg 3 is the driver we ship.
        if scheme in ("postgres", "postgresql"):
            scheme = "postgresql+psycopg"
        if scheme not in SUPPORTED_DATABASE_SCHEMES:
            raise ValueError(
                f"unsupported database {scheme!r}; expected sqlite:/// or postgresql+psycopg://"
            )
        return f"{scheme}://{rest}"

    @field_validator("broker_url", mode="after")
    @classmethod
    def _known_broker(cls, value: str) -> str:
        scheme = value.partition("://")[0]
        if "://" not in value or scheme not in SUPPORTED_BROKER_SCHEMES:
            raise ValueError(f"expected a redis:// or amqp:// URL, not {scheme!r}")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("cors_origins", mode="after")
    @classmethod
    def _valid_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(f"{origin!r} is not an origin like https://quiz.example.org")
        return [origin.rstrip("/") for origin in value]

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("secret_key", mode="after")
    @classmethod
    def _no_placeholder(cls, value: SecretStr) -> SecretStr:
        key = value.get_secret_value()
        if not key:
            return value
        if key.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("is a well-known placeholder; set a random value or leave it unset")
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(f"must be at least {MIN_SECRET_KEY_LENGTH} characters")
        return value

    @model_validator(mode="after")
    def _fill_derived(self) -> Settings:
        if not self.database_url:
            _ensure_data_dir(self.data_dir)  # SQLite creates the file, not its directory
            self.database_url = f"sqlite:///{self.data_dir / 'quizloop.db'}"
        if not self.secret_key.get_secret_value():
            self.secret_key = SecretStr(_stored_secret_key(self.data_dir))
        return self


class SettingsForTests(Settings):
    """Settings from explicit arguments only: no environment, no `.env`, so tests are hermetic.

    Usage:
        settings = SettingsForTests(data_dir=tmp_path, database_url="sqlite:///...")
    """

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def _ensure_data_dir(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(
            f"{_env_name('data_dir')}: cannot create {data_dir}: {exc.strerror}"
        ) from exc


def _stored_secret_key(data_dir: Path) -> str:
    """The key kept in `data_dir/secret_key`, created (mode 0600) on first use."""
    path = data_dir / SECRET_KEY_FILE
    _ensure_data_dir(data_dir)
    try:
        if not path.exists():
            _create_secret_file(path)
        key = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingsError(
            f"{_env_name('data_dir')}: cannot keep the secret key in {path}: {exc.strerror}"
        ) from exc
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(
            f"{_env_name('secret_key')} is unset and {path} holds no valid key "
            f"(at least {MIN_SECRET_KEY_LENGTH} characters); delete the file to generate a new one"
        )
    if path.stat().st_mode & 0o077:
        logger.warning("%s is readable by other users; run: chmod 600 %s", path, path)
    return key


def _create_secret_file(path: Path) -> None:
    # Written to a private temporary file, then linked into place: several workers starting
    # at once agree on one key, and none ever reads a half-written file.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        # If another process won the race, its key is the key.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and `.env` (overrides win), or a `SettingsError`.

    Usage:
        try:
            settings = load_settings()
        except SettingsError as exc:
            sys.exit(str(exc))
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    """One line per bad setting, each naming its environment variable."""
    lines = []
    for error in exc.errors(include_url=False):
        field = str(error["loc"][0]) if error["loc"] else "settings"
        # URLs carry passwords and the key is a secret: never echo those values.
        shown = "" if field in SECRET_FIELDS else f" (got {error.get('input')!r})"
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{_env_name(field)}: {message}{shown}")
    return "invalid settings:\n  " + "\n  ".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, loaded once. Tests build `SettingsForTests` instead."""
    return load_settings()
