"""Where the client finds its server and token: arguments, QUIZLOOP_URL / QUIZLOOP_TOKEN, and
profiles in the config file; clear errors when it cannot."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from api.client import ConfigError, config_path, resolve_profile, save_profile
from api.client.config import readable_by_others

FILE = """
default_profile = "course"

[profiles.course]
url = "https://quiz.example.edu/"
token = "qlp_course"

[profiles.staging]
url = "https://staging.example.edu"
"""


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment whose config file is in tmp_path (and nothing else set)."""
    return {"XDG_CONFIG_HOME": str(tmp_path)}


def _write(environ: dict[str, str], text: str) -> Path:
    path = config_path(environ)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_config_file_is_found_where_the_environment_says(tmp_path: Path) -> None:
    assert config_path({"QUIZLOOP_CONFIG": str(tmp_path / "q.toml")}) == tmp_path / "q.toml"
    assert config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == (
        tmp_path / "quizloop" / "config.toml"
    )
    assert config_path({}) == Path.home() / ".config" / "quizloop" / "config.toml"


def test_the_default_profile_of_the_file(home: dict[str, str]) -> None:
    _write(home, FILE)
    profile = resolve_profile(environ=home)
    assert (profile.name, profile.url, profile.token) == (
        "course",
        "https://quiz.example.edu",
        "qlp_course",
    )
    assert "[profiles.course]" in profile.source


def test_the_environment_wins_over_the_file_and_arguments_over_both(
    home: dict[str, str],
) -> None:
    _write(home, FILE)
    env = home | {"QUIZLOOP_URL": "http://localhost:8000", "QUIZLOOP_TOKEN": "qlp_env"}
    profile = resolve_profile(environ=env)
    assert (profile.url, profile.token, profile.source) == (
        "http://localhost:8000",
        "qlp_env",
        "QUIZLOOP_URL",
    )
    given = resolve_profile(url="http://other:1", token="qlp_arg", environ=env)
    assert (given.url, given.token, given.source) == ("http://other:1", "qlp_arg", "argument")
    # A profile named on purpose wins over the environment.
    named = resolve_profile("course", environ=env)
    assert (named.url, named.token) == ("https://quiz.example.edu", "qlp_course")
    by_env = resolve_profile(environ=home | {"QUIZLOOP_PROFILE": "staging"})
    assert (by_env.url, by_env.token) == ("https://staging.example.edu", None)


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        pytest.param(None, None, "no server URL", id="nothing anywhere"),
        pytest.param(FILE, "prod", "no profile 'prod'", id="unknown profile"),
        pytest.param("url = [", None, "not valid TOML", id="broken file"),
        pytest.param("profiles = 3", None, "must hold tables", id="profiles not tables"),
        pytest.param("[profiles.default]\nurl = 8", None, "must be a string", id="url a number"),
    ],
)
def test_clear_errors(
    home: dict[str, str], text: str | None, name: str | None, message: str
) -> None:
    if text is not None:
        _write(home, text)
    with pytest.raises(ConfigError, match=message) as error:
        resolve_profile(name, environ=home)
    assert str(config_path(home).parent) in str(error.value) or text is None


def test_a_saved_profile_is_private_and_keeps_the_others(home: dict[str, str]) -> None:
    path = _write(home, FILE)
    path.chmod(0o644)
    assert readable_by_others(path)
    saved = save_profile("lab", url="http://lab:8000/", token='qlp_"quoted"\\', environ=home)
    assert saved == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not readable_by_others(path)
    lab = resolve_profile("lab", environ=home)
    assert (lab.url, lab.token) == ("http://lab:8000", 'qlp_"quoted"\\')
    assert resolve_profile(environ=home).name == "course"  # the default stays
    save_profile("lab", url="http://lab:9000", token=None, make_default=True, environ=home)
    now = resolve_profile(environ=home)
    assert (now.name, now.url, now.token) == ("lab", "http://lab:9000", None)
    assert resolve_profile("staging", environ=home).url == "https://staging.example.edu"


def test_the_first_saved_profile_becomes_the_default(home: dict[str, str]) -> None:
    save_profile("only", url="https://q.example.edu", token="qlp_x", environ=home)
    assert resolve_profile(environ=home).name == "only"
