"""Settings: defaults, validation naming the variable, and the generated secret key."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from api.core.config import Settings, SettingsError, SettingsForTests, load_settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No QUIZLOOP_* variables from the developer's shell, no .env, data under tmp_path."""
    for name in list(os.environ):
        if name.startswith("QUIZLOOP_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUIZLOOP_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_defaults_are_the_embedded_mode(clean_env: Path) -> None:
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{clean_env / 'quizloop.db'}"
    assert settings.grading_backend == "local"
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.grading_unsafe_no_sandbox is False
    assert settings.cors_origins == []


def test_secret_key_is_generated_once_private_and_reused(clean_env: Path) -> None:
    first = load_settings().secret_key.get_secret_value()
    key_file = clean_env / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert load_settings().secret_key.get_secret_value() == first
    assert [p.name for p in clean_env.iterdir()] == ["secret_key"]  # no temporary files left


def test_explicit_secret_key_wins_and_writes_no_file(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZLOOP_SECRET_KEY", "k" * 40)
    assert load_settings().secret_key.get_secret_value() == "k" * 40
    assert not (clean_env / "secret_key").exists()


def test_explicit_key_with_default_database_still_creates_the_data_dir(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZLOOP_SECRET_KEY", "k" * 40)
    load_settings()
    assert clean_env.is_dir()


def test_corrupt_secret_key_file_is_refused(clean_env: Path) -> None:
    clean_env.mkdir()
    (clean_env / "secret_key").write_text("short\n")
    with pytest.raises(SettingsError, match="QUIZLOOP_SECRET_KEY"):
        load_settings()


def test_dotenv_file_is_read(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUIZLOOP_DATA_DIR")
    Path(".env").write_text(f"QUIZLOOP_DATA_DIR={clean_env}\nQUIZLOOP_LOG_LEVEL=debug\n")
    settings = load_settings()
    assert settings.log_level == "DEBUG"
    assert settings.data_dir == clean_env


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("QUIZLOOP_DATABASE_URL", "mysql://root@localhost/quiz", "unsupported database"),
        ("QUIZLOOP_DATABASE_URL", "my.sqlite3", "expected a URL"),
        ("QUIZLOOP_SECRET_KEY", "changeme", "placeholder"),
        ("QUIZLOOP_SECRET_KEY", "CHANGETHIS", "placeholder"),
        ("QUIZLOOP_SECRET_KEY", "too-short", "at least 32"),
        ("QUIZLOOP_GRADING_BACKEND", "rq", "'local' or 'celery'"),
        ("QUIZLOOP_BROKER_URL", "http://broker", "redis:// or amqp://"),
        ("QUIZLOOP_CORS_ORIGINS", "https://ok.example.org,quiz.example.org", "not an origin"),
        ("QUIZLOOP_LOG_LEVEL", "loud", "DEBUG"),
        ("QUIZLOOP_MAX_BODY_BYTES", "1MB", "valid integer"),
        ("QUIZLOOP_ACCESS_TOKEN_MINUTES", "0", "greater than or equal to 1"),
        ("QUIZLOOP_GRADING_UNSAFE_NO_SANDBOX", "perhaps", "valid boolean"),
    ],
)
def test_invalid_setting_names_its_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    text = str(raised.value)
    assert variable in text
    assert message in text
    if variable in ("QUIZLOOP_SECRET_KEY", "QUIZLOOP_DATABASE_URL", "QUIZLOOP_BROKER_URL"):
        assert value not in text  # secrets and URLs with passwords are never echoed


def test_postgres_urls_get_the_psycopg_driver(clean_env: Path) -> None:
    for url in ("postgres://u:p@db/quiz", "postgresql://u:p@db/quiz"):
        assert load_settings(database_url=url).database_url == "postgresql+psycopg://u:p@db/quiz"


def test_cors_origins_accept_comma_lists_and_json(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZLOOP_CORS_ORIGINS", "https://a.example.org/, http://localhost:5173")
    assert load_settings().cors_origins == ["https://a.example.org", "http://localhost:5173"]


def test_settings_for_tests_ignore_the_environment(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QUIZLOOP_GRADING_BACKEND", "not-valid")
    settings = SettingsForTests(data_dir=tmp_path / "t", secret_key="s" * 32)
    assert isinstance(settings, Settings)
    assert settings.grading_backend == "local"


def test_unwritable_data_dir_names_the_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = clean_env.parent / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("QUIZLOOP_DATA_DIR", str(blocker / "data"))
    with pytest.raises(SettingsError, match="QUIZLOOP_DATA_DIR"):
        load_settings()
