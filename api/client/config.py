"""Which server the client talks to, and with which token: arguments, the environment, or a
config file with profiles.

Each setting comes from the first place that has it: an explicit argument, then
QUIZLOOP_URL / QUIZLOOP_TOKEN, then the profile in the config file. The profile is the one
named (argument, then QUIZLOOP_PROFILE), else the file's `default_profile`, else `default`.
The file is QUIZLOOP_CONFIG, else $XDG_CONFIG_HOME/quizloop/config.toml, else
~/.config/quizloop/config.toml:

    default_profile = "async-2026"

    [profiles.async-2026]
    url = "https://quiz.example.edu"
    token = "qlp_..."            # a personal API token (POST /api/v1/auth/api-tokens)

Usage:
    profile = resolve_profile()                 # or resolve_profile("staging", url=...)
    save_profile("async-2026", url=..., token=...)
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.client.errors import ConfigError

__all__ = [
    "DEFAULT_PROFILE",
    "Profile",
    "config_path",
    "readable_by_others",
    "resolve_profile",
    "save_profile",
]

DEFAULT_PROFILE = "default"


@dataclass(frozen=True, slots=True)
class Profile:
    """A server and its token; `source` says where each came from (for error messages)."""

    name: str
    url: str
    token: str | None
    source: str


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the config file is (whether or not it exists)."""
    env = os.environ if environ is None else environ
    if env.get("QUIZLOOP_CONFIG"):
        return Path(env["QUIZLOOP_CONFIG"]).expanduser()
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "quizloop" / "config.toml"


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None


def _profiles(path: Path, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(v, dict) for v in profiles.values()):
        raise ConfigError(f"{path}: `profiles` must hold tables like [profiles.NAME]")
    return profiles


def _string(path: Path, name: str, table: dict[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{path}: profiles.{name}.{key} must be a string")
    return value or None


def resolve_profile(
    name: str | None = None,
    *,
    url: str | None = None,
    token: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Profile:
    """The server URL and token to use (see the module's docstring); ConfigError, saying
    where it looked, when no URL can be found or a named profile does not exist."""
    env = os.environ if environ is None else environ
    path = config_path(env)
    data = _read(path)
    profiles = _profiles(path, data)
    asked = name or env.get("QUIZLOOP_PROFILE") or None
    chosen = asked or data.get("default_profile") or DEFAULT_PROFILE
    if not isinstance(chosen, str):
        raise ConfigError(f"{path}: default_profile must be a string")
    if asked and asked not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"no profile {asked!r} in {path} (profiles: {known})")
    table = profiles.get(chosen, {})
    places = [
        ("QUIZLOOP_URL", env.get("QUIZLOOP_URL") or None, env.get("QUIZLOOP_TOKEN") or None),
        (
            f"{path} [profiles.{chosen}]",
            _string(path, chosen, table, "url"),
            _string(path, chosen, table, "token"),
        ),
    ]
    if name:  # a profile named as an argument wins over the environment
        places.reverse()
    source = "argument"
    if not url:
        source, url = next(((where, u) for where, u, _ in places if u), ("", None))
    if not url:
        raise ConfigError(
            "no server URL: pass --url, set QUIZLOOP_URL, or add a profile to "
            f"{path} (`quizloop remote login --url URL` writes one)"
        )
    if token is None:
        token = next((t for _, _, t in places if t), None)
    return Profile(name=chosen, url=url.rstrip("/"), token=token, source=source)


def _toml_string(value: str) -> str:
    # JSON's string escapes are a subset of TOML's basic strings.
    return json.dumps(value, ensure_ascii=False)


def _dump(data: dict[str, Any]) -> str:
    lines = [
        f"{key} = {_toml_string(str(value))}" for key, value in data.items() if key != "profiles"
    ]
    for name, table in sorted(data.get("profiles", {}).items()):
        lines.append("")
        lines.append(f"[profiles.{_toml_string(name)}]")
        lines += [f"{key} = {_toml_string(str(value))}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def save_profile(
    name: str,
    *,
    url: str,
    token: str | None,
    make_default: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Write (or replace) a profile in the config file, readable by its owner only (it holds
    a token). Other profiles and settings stay; comments in the file do not."""
    path = config_path(environ)
    data = _read(path)
    profiles = _profiles(path, data)
    profiles[name] = {"url": url.rstrip("/"), **({"token": token} if token else {})}
    data["profiles"] = profiles
    if make_default or "default_profile" not in data:
        data["default_profile"] = name
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(_dump(data))
    os.chmod(temporary, stat.S_IRUSR | stat.S_IWUSR)
    temporary.replace(path)
    return path


def readable_by_others(path: Path) -> bool:
    """Whether a config file holding a token can be read by other users."""
    try:
        return bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    except OSError:
        return False
