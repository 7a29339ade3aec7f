"""`quizloop remote ...`: the service from a terminal or a script, through api.client.

Which server, and as whom: --url / --token / --profile, else QUIZLOOP_URL / QUIZLOOP_TOKEN,
else the config file's profile (`quizloop remote login` writes one). Messages come in the
language of --lang, else QUIZLOOP_LANG, else the locale (zh_* picks Chinese), else English.

Exit status: 0 done; 1 the server refused (its problem is printed, with the request id);
2 bad arguments or configuration; 3 the server could not be reached, or answered strangely;
4 a watch ran out of time.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, NoReturn, ParamSpec, TypeVar

import typer

from api.client import APIError, Client, ConfigError, QuizloopError, WatchTimeout
from api.i18n import Language, Text, negotiate
from api.remote.output import err

__all__ = ["EXIT", "Remote", "connect", "guarded", "remote_app", "say"]

P = ParamSpec("P")
R = TypeVar("R")
EXIT = {"refused": 1, "usage": 2, "unreachable": 3, "timeout": 4}

remote_app = typer.Typer(
    help="Talk to a quizloop server: submit, watch, regrade, override, export...",
    no_args_is_help=True,
)


@dataclass
class Remote:
    """The options every command shares (set by the `remote` callback)."""

    url: str | None
    token: str | None
    profile: str | None
    lang: Language
    json: bool

    def client(self) -> Client:
        return Client(self.url, self.token, profile=self.profile, lang=self.lang)


def _language(option: str | None) -> Language:
    locale = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return negotiate(option or os.environ.get("QUIZLOOP_LANG"), locale.split(".")[0] or None)


@remote_app.callback()
def remote(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Option(help="Server URL (default: QUIZLOOP_URL).")] = None,
    token: Annotated[
        str | None, typer.Option(help="Personal API token (default: QUIZLOOP_TOKEN).")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="Profile of the config file (default: QUIZLOOP_PROFILE).")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="en or zh-CN.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON, for scripts.")] = False,
) -> None:
    ctx.obj = Remote(url=url, token=token, profile=profile, lang=_language(lang), json=json)


def connect(ctx: typer.Context) -> tuple[Client, Remote]:
    """A client for the command's server, and the shared options."""
    remote: Remote = ctx.find_object(Remote) or Remote(None, None, None, "en", False)
    return remote.client(), remote


def say(ctx: typer.Context, text: Text) -> str:
    """`text` in the command's language."""
    remote = ctx.find_object(Remote)
    return text[remote.lang if remote else "en"]


def fail(message: str, code: int) -> NoReturn:
    err(f"quizloop: {message}")
    raise typer.Exit(code)


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Run a command; the client's errors become a message and an exit status."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except APIError as error:
            fail(str(error), EXIT["refused"])
        except ConfigError as error:
            fail(str(error), EXIT["usage"])
        except WatchTimeout as error:
            fail(str(error), EXIT["timeout"])
        except QuizloopError as error:
            fail(str(error), EXIT["unreachable"])

    return run
